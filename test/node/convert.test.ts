// Checks the XGBoost-to-ONNX converter against predictions of the XGBoost 1.7.4 CLI, stored in
// test/fixtures/xgboost-small (regenerate with its make.sh), by running the ONNX model in onnxruntime-node.

import onnxProto from "onnx-proto";
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import {
  FEATURES_INPUT,
  LABEL_OUTPUT,
  PROBABILITIES_OUTPUT,
  convertXGBoostToOnnx,
  probabilityToMargin,
} from "../../training/onnx/convert";
import { isLeaf, parseXGBoostModel, type XGBoostModel, type XGBoostTree } from "../../training/onnx/xgboost-model";
import { FIXTURE_FEATURE_NAMES, loadFixture, type XGBoostFixture } from "../fixtures/xgboost-small/fixture";

const { onnx } = onnxProto;

/** Allowed |P_onnx - P_xgboost|. XGBoost prints 9 significant digits, and both sides sum float32 leaf values. */
const PARITY_TOLERANCE = 1e-6;
/** A convention mistake must move some prediction by far more than the parity tolerance. */
const DETECTABLE_DIFFERENCE = 1e-3;

const train = loadFixture("train");

interface Prediction {
  labels: number[];
  /** P(class 1) per row. */
  positive: number[];
  /** P(class 0) per row. */
  negative: number[];
}

async function predict(bytes: Uint8Array, features: Float32Array, featureCount: number): Promise<Prediction> {
  const session = await ort.InferenceSession.create(bytes);
  const rowCount = features.length / featureCount;
  const outputs = await session.run({ [FEATURES_INPUT]: new ort.Tensor("float32", features, [rowCount, featureCount]) });
  const probabilities = outputs[PROBABILITIES_OUTPUT]!.data as Float32Array;
  const labels = outputs[LABEL_OUTPUT]!.data as BigInt64Array;
  return {
    labels: Array.from(labels, Number),
    positive: Array.from({ length: rowCount }, (_, row) => probabilities[2 * row + 1]!),
    negative: Array.from({ length: rowCount }, (_, row) => probabilities[2 * row]!),
  };
}

function convertFixtureModel(model: XGBoostModel): Uint8Array {
  return convertXGBoostToOnnx(model, { featureNames: FIXTURE_FEATURE_NAMES });
}

/** Returns the largest |actual - expected| over `rows` and the row where it occurs. */
function maxAbsDifference(actual: number[], expected: number[], rows: number[]): { max: number; row: number } {
  let max = 0;
  let maxRow = -1;
  for (const row of rows) {
    const difference = Math.abs(actual[row]! - expected[row]!);
    if (difference > max || maxRow === -1) {
      max = difference;
      maxRow = row;
    }
  }
  return { max, row: maxRow };
}

function allRows(fixture: XGBoostFixture): number[] {
  return Array.from({ length: fixture.rowCount }, (_, row) => row);
}

function featureValue(fixture: XGBoostFixture, row: number, column: number): number {
  return fixture.features[row * fixture.featureCount + column]!;
}

function rowsWithMissingValues(fixture: XGBoostFixture): number[] {
  return allRows(fixture).filter((row) =>
    FIXTURE_FEATURE_NAMES.some((_, column) => Number.isNaN(featureValue(fixture, row, column))),
  );
}

/** Rows where some feature equals, as float32, a threshold that a split on that feature uses. */
function rowsOnSplitThresholds(fixture: XGBoostFixture): number[] {
  const thresholds = FIXTURE_FEATURE_NAMES.map(() => new Set<number>());
  for (const tree of fixture.model.learner.gradient_booster.model.trees) {
    tree.split_conditions.forEach((condition, node) => {
      if (!isLeaf(tree, node)) thresholds[tree.split_indices[node]!]!.add(Math.fround(condition));
    });
  }
  return allRows(fixture).filter((row) =>
    thresholds.some((values, column) => values.has(featureValue(fixture, row, column))),
  );
}

function leafValues(model: XGBoostModel): number[] {
  return model.learner.gradient_booster.model.trees.flatMap((tree) =>
    tree.split_conditions.filter((_, node) => isLeaf(tree, node)),
  );
}

/** Returns a deep copy of `model` with `edit` applied to every tree. */
function editTrees(model: XGBoostModel, edit: (tree: XGBoostTree) => void): XGBoostModel {
  const copy = structuredClone(model);
  copy.learner.gradient_booster.model.trees.forEach(edit);
  return copy;
}

/** Returns the smallest float32 above `value`, for finite non-negative `value`. */
function nextFloat32Up(value: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, value);
  view.setUint32(0, view.getUint32(0) + 1);
  return view.getFloat32(0);
}

/**
 * Builds an XGBoost 1.7 JSON model with one tree over one feature x:
 * node 0 splits x < 1 (NaN goes right unless rootDefaultLeft), node 1 splits x < 0.5 (NaN goes left),
 * and the leaves are node 2 = -1, node 3 = 0, node 4 = 1e-8.
 */
function buildOneTreeModel(options: { baseScore: string; rootDefaultLeft: boolean }): XGBoostModel {
  const tree = {
    id: 0,
    left_children: [1, 3, -1, -1, -1],
    right_children: [2, 4, -1, -1, -1],
    parents: [2147483647, 0, 0, 1, 1],
    split_indices: [0, 0, 0, 0, 0],
    split_conditions: [1, 0.5, -1, 0, 1e-8],
    default_left: [options.rootDefaultLeft ? 1 : 0, 1, 0, 0, 0],
    base_weights: [0, 0, 0, 0, 0],
    split_type: [0, 0, 0, 0, 0],
    categories: [],
    categories_nodes: [],
    tree_param: { num_deleted: "0", num_feature: "1", num_nodes: "5", size_leaf_vector: "0" },
  };
  const model = {
    version: [1, 7, 4],
    learner: {
      learner_model_param: { base_score: options.baseScore, num_class: "0", num_feature: "1", num_target: "1" },
      gradient_booster: {
        name: "gbtree",
        model: {
          gbtree_model_param: { num_parallel_tree: "1", num_trees: "1", size_leaf_vector: "0" },
          tree_info: [0],
          trees: [tree],
        },
      },
      objective: { name: "binary:logistic" },
    },
  };
  return parseXGBoostModel(JSON.stringify(model));
}

function decodeModel(bytes: Uint8Array): onnxProto.onnx.ModelProto {
  return onnx.ModelProto.decode(bytes);
}

/** Returns the attribute `name` of the first node of the decoded graph, or throws when it is missing. */
function findNodeAttribute(bytes: Uint8Array, name: string): onnxProto.onnx.IAttributeProto {
  const attribute = decodeModel(bytes).graph?.node?.[0]?.attribute?.find((entry) => entry.name === name);
  if (!attribute) throw new Error(`The converted model has no node attribute "${name}".`);
  return attribute;
}

describe("convertXGBoostToOnnx on the XGBoost fixture", () => {
  it("convert output names and shapes", async () => {
    const session = await ort.InferenceSession.create(convertFixtureModel(train.model));
    expect(session.inputNames).toEqual([FEATURES_INPUT]);
    expect(session.outputNames).toEqual([LABEL_OUTPUT, PROBABILITIES_OUTPUT]);

    const input = new ort.Tensor("float32", train.features, [train.rowCount, train.featureCount]);
    const outputs = await session.run({ [FEATURES_INPUT]: input });
    expect(outputs[LABEL_OUTPUT]!.type).toBe("int64");
    expect(outputs[LABEL_OUTPUT]!.dims).toEqual([train.rowCount]);
    expect(outputs[PROBABILITIES_OUTPUT]!.type).toBe("float32");
    expect(outputs[PROBABILITIES_OUTPUT]!.dims).toEqual([train.rowCount, 2]);
  });

  it("convert matches xgboost on fixture rows", async () => {
    const prediction = await predict(convertFixtureModel(train.model), train.features, train.featureCount);
    const { max, row } = maxAbsDifference(prediction.positive, train.xgboostProbabilities, allRows(train));
    expect(max, `max |onnx - xgboost| = ${max} at row ${row}`).toBeLessThanOrEqual(PARITY_TOLERANCE);
  });

  it("convert probabilities sum to one", async () => {
    const prediction = await predict(convertFixtureModel(train.model), train.features, train.featureCount);
    const sums = prediction.positive.map((positive, row) => positive + prediction.negative[row]!);
    const { max, row } = maxAbsDifference(sums, sums.map(() => 1), allRows(train));
    expect(max, `max |p0 + p1 - 1| = ${max} at row ${row}`).toBeLessThanOrEqual(PARITY_TOLERANCE);
  });

  it("convert labels match probabilities", async () => {
    const prediction = await predict(convertFixtureModel(train.model), train.features, train.featureCount);
    // onnxruntime returns label 1 when the margin is above 0, so a row with P(class 1) exactly 0.5 would get
    // label 0 (see "convert labels zero margin as 0"). The fixture has no such row.
    const tiedRows = allRows(train).filter((row) => prediction.positive[row] === 0.5);
    const wrongRows = allRows(train).filter(
      (row) => prediction.labels[row] !== (prediction.positive[row]! >= 0.5 ? 1 : 0),
    );
    expect(tiedRows, "rows with P(class 1) exactly 0.5").toEqual([]);
    expect(wrongRows, "rows whose label disagrees with P(class 1) >= 0.5").toEqual([]);
  });

  it("convert matches xgboost on missing values", async () => {
    const rows = rowsWithMissingValues(train);
    const prediction = await predict(convertFixtureModel(train.model), train.features, train.featureCount);
    const { max, row } = maxAbsDifference(prediction.positive, train.xgboostProbabilities, rows);
    expect(rows.length, "fixture rows with a missing value").toBeGreaterThan(50);
    expect(max, `max |onnx - xgboost| = ${max} at row ${row}`).toBeLessThanOrEqual(PARITY_TOLERANCE);
  });

  it("convert matches xgboost at split thresholds", async () => {
    const rows = rowsOnSplitThresholds(train);
    const prediction = await predict(convertFixtureModel(train.model), train.features, train.featureCount);
    const { max, row } = maxAbsDifference(prediction.positive, train.xgboostProbabilities, rows);
    expect(rows.length, "fixture rows with a value equal to a split threshold").toBeGreaterThan(50);
    expect(max, `max |onnx - xgboost| = ${max} at row ${row}`).toBeLessThanOrEqual(PARITY_TOLERANCE);
  });

  it("convert matches xgboost with positive leaves", async () => {
    // onnxruntime's source has a binary-classifier branch for models without negative class weights that
    // treats the scores as probabilities and skips LOGISTIC. This fixture would fail if that branch were taken.
    const positiveLeaves = loadFixture("positive-leaves");
    const prediction = await predict(
      convertFixtureModel(positiveLeaves.model),
      positiveLeaves.features,
      positiveLeaves.featureCount,
    );
    const { max, row } = maxAbsDifference(
      prediction.positive,
      positiveLeaves.xgboostProbabilities,
      allRows(positiveLeaves),
    );
    expect(Math.min(...leafValues(positiveLeaves.model)), "smallest leaf value").toBeGreaterThan(0);
    expect(max, `max |onnx - xgboost| = ${max} at row ${row}`).toBeLessThanOrEqual(PARITY_TOLERANCE);
  });

  it("convert matches xgboost on pruned trees", async () => {
    const pruned = loadFixture("pruned");
    const prediction = await predict(convertFixtureModel(pruned.model), pruned.features, pruned.featureCount);
    const { max, row } = maxAbsDifference(prediction.positive, pruned.xgboostProbabilities, allRows(pruned));
    expect(max, `max |onnx - xgboost| = ${max} at row ${row}`).toBeLessThanOrEqual(PARITY_TOLERANCE);
  });
});

describe("parity checks detect convention mistakes", () => {
  // Each case converts a deliberately wrong model and shows that the fixture rows expose the mistake.

  it("parity detects flipped default_left", async () => {
    const flipped = editTrees(train.model, (tree) => {
      tree.default_left = tree.default_left.map((flag) => (flag === 1 || flag === true ? 0 : 1));
    });
    const prediction = await predict(convertFixtureModel(flipped), train.features, train.featureCount);
    const { max } = maxAbsDifference(prediction.positive, train.xgboostProbabilities, rowsWithMissingValues(train));
    expect(max).toBeGreaterThan(DETECTABLE_DIFFERENCE);
  });

  it("parity detects BRANCH_LEQ thresholds", async () => {
    // x < nextFloat32Up(t) is true exactly when x <= t, so this model behaves like BRANCH_LEQ.
    const inclusive = editTrees(train.model, (tree) => {
      tree.split_conditions = tree.split_conditions.map((condition, node) =>
        isLeaf(tree, node) ? condition : nextFloat32Up(Math.fround(condition)),
      );
    });
    const prediction = await predict(convertFixtureModel(inclusive), train.features, train.featureCount);
    const { max } = maxAbsDifference(prediction.positive, train.xgboostProbabilities, rowsOnSplitThresholds(train));
    expect(max).toBeGreaterThan(DETECTABLE_DIFFERENCE);
  });

  it("parity detects base_weights as leaves", async () => {
    // Only the exact trees of this fixture have leaf base_weights without the learning rate. In the hist trees
    // of the train fixture, XGBoost 1.7.4 writes leaf base_weights equal to the leaf values.
    const positiveLeaves = loadFixture("positive-leaves");
    const unscaled = editTrees(positiveLeaves.model, (tree) => {
      tree.split_conditions = tree.split_conditions.map((condition, node) =>
        isLeaf(tree, node) ? tree.base_weights[node]! : condition,
      );
    });
    const prediction = await predict(
      convertFixtureModel(unscaled),
      positiveLeaves.features,
      positiveLeaves.featureCount,
    );
    const { max } = maxAbsDifference(
      prediction.positive,
      positiveLeaves.xgboostProbabilities,
      allRows(positiveLeaves),
    );
    expect(max).toBeGreaterThan(DETECTABLE_DIFFERENCE);
  });
});

describe("convertXGBoostToOnnx on hand-built models", () => {
  it("convert sends NaN along default_left", async () => {
    // With the root's default_left = 0, NaN goes right to leaf -1. With 1, it goes left to node 1,
    // whose default_left = 1 sends it to leaf 0.
    const defaultRight = buildOneTreeModel({ baseScore: "5E-1", rootDefaultLeft: false });
    const defaultLeft = buildOneTreeModel({ baseScore: "5E-1", rootDefaultLeft: true });
    const input = Float32Array.of(Number.NaN);

    const right = await predict(convertXGBoostToOnnx(defaultRight, { featureNames: ["x"] }), input, 1);
    const left = await predict(convertXGBoostToOnnx(defaultLeft, { featureNames: ["x"] }), input, 1);
    expect(right.positive[0]).toBeCloseTo(1 / (1 + Math.exp(1)), 6);
    expect(left.positive[0]).toBe(0.5);
  });

  it("convert branches on x < threshold", async () => {
    // x = 1 equals the root threshold, so it goes right (leaf -1). x = 0.5 equals the node 1 threshold,
    // so it goes right to leaf 1e-8.
    const model = buildOneTreeModel({ baseScore: "5E-1", rootDefaultLeft: false });
    const prediction = await predict(convertXGBoostToOnnx(model, { featureNames: ["x"] }), Float32Array.of(1, 0.5), 1);
    expect(prediction.positive[0]).toBeCloseTo(1 / (1 + Math.exp(1)), 6);
    expect(prediction.labels[1]).toBe(1);
  });

  it("convert labels zero margin as 0", async () => {
    // x = 0.2 reaches leaf 0, and base_score 0.5 has margin 0, so P(class 1) is exactly 0.5.
    const model = buildOneTreeModel({ baseScore: "5E-1", rootDefaultLeft: false });
    const prediction = await predict(convertXGBoostToOnnx(model, { featureNames: ["x"] }), Float32Array.of(0.2), 1);
    expect(prediction.positive[0]).toBe(0.5);
    expect(prediction.labels[0]).toBe(0);
  });

  it("convert applies base_score as margin", async () => {
    // x = 0.2 reaches leaf 0, so the output is sigmoid(logit(base_score)) = base_score.
    const model = buildOneTreeModel({ baseScore: "3E-1", rootDefaultLeft: false });
    const prediction = await predict(convertXGBoostToOnnx(model, { featureNames: ["x"] }), Float32Array.of(0.2), 1);
    expect(prediction.positive[0]).toBeCloseTo(0.3, 6);
  });
});

describe("convertXGBoostToOnnx model contents", () => {
  it("convert writes opsets and metadata", () => {
    const options = { featureNames: FIXTURE_FEATURE_NAMES, producerVersion: "9.9.9", docString: "fixture model" };
    const decoded = decodeModel(convertXGBoostToOnnx(train.model, options));
    const opsets = decoded.opsetImport.map((opset) => ({ domain: opset.domain, version: Number(opset.version) }));
    const metadata = Object.fromEntries(decoded.metadataProps.map((entry) => [entry.key, entry.value]));
    expect(opsets).toEqual([
      { domain: "", version: 17 },
      { domain: "ai.onnx.ml", version: 3 },
    ]);
    expect(decoded.producerVersion).toBe("9.9.9");
    expect(decoded.docString).toBe("fixture model");
    expect(JSON.parse(metadata["feature_names"]!)).toEqual(FIXTURE_FEATURE_NAMES);
    expect(decoded.graph?.node?.map((node) => node.opType)).toEqual(["TreeEnsembleClassifier"]);
  });

  it("convert stores base margin in base_values", () => {
    const attribute = findNodeAttribute(convertFixtureModel(train.model), "base_values");
    expect(attribute.floats).toEqual([probabilityToMargin(0.3)]);
    expect(probabilityToMargin(0.3)).toBeCloseTo(Math.log(0.3 / 0.7), 6);
  });

  it("convert drops unreachable nodes", () => {
    // XGBoost keeps the slots of pruned nodes in the JSON arrays, and tree_param.num_deleted counts them.
    const pruned = loadFixture("pruned");
    const trees = pruned.model.learner.gradient_booster.model.trees;
    const deletedCount = trees.reduce((sum, tree) => sum + Number(tree.tree_param.num_deleted), 0);
    const reachableCount = trees.reduce((sum, tree) => sum + tree.left_children.length, 0) - deletedCount;

    const treeIds = findNodeAttribute(convertFixtureModel(pruned.model), "nodes_treeids").ints ?? [];
    expect(deletedCount, "deleted nodes in the pruned fixture").toBeGreaterThan(0);
    expect(treeIds.length).toBe(reachableCount);
  });

  it("convert rejects wrong feature count", () => {
    expect(() => convertXGBoostToOnnx(train.model, { featureNames: ["only_one"] })).toThrow(
      /featureNames has 1 names but the XGBoost model has num_feature=5/,
    );
  });
});

describe("parseXGBoostModel", () => {
  /** Returns the fixture model JSON with `edit` applied. */
  function editedModelJson(edit: (model: Record<string, any>) => void): string {
    const model = JSON.parse(train.modelJson) as Record<string, any>;
    edit(model);
    return JSON.stringify(model);
  }

  it("parse accepts the fixture model", () => {
    expect(parseXGBoostModel(train.modelJson).learner.gradient_booster.model.trees.length).toBe(20);
  });

  it.each([
    {
      kind: "objective binary:logitraw",
      edit: (model: Record<string, any>) => (model.learner.objective.name = "binary:logitraw"),
      message: /Unsupported XGBoost objective "binary:logitraw": only binary:logistic can be converted/,
    },
    {
      kind: "objective multi:softprob",
      edit: (model: Record<string, any>) => {
        model.learner.objective.name = "multi:softprob";
        model.learner.learner_model_param.num_class = "3";
      },
      message: /Unsupported XGBoost objective "multi:softprob"/,
    },
    {
      kind: "num_class 3",
      edit: (model: Record<string, any>) => (model.learner.learner_model_param.num_class = "3"),
      message: /multi-class models \(num_class=3\) cannot be converted/,
    },
    {
      kind: "categorical split",
      edit: (model: Record<string, any>) => {
        const tree = model.learner.gradient_booster.model.trees[2];
        tree.split_type[0] = 1;
        tree.categories_nodes = [0];
      },
      message: /tree 2 contains categorical splits/,
    },
    {
      kind: "num_parallel_tree 2",
      edit: (model: Record<string, any>) =>
        (model.learner.gradient_booster.model.gbtree_model_param.num_parallel_tree = "2"),
      message: /num_parallel_tree is 2/,
    },
    {
      kind: "gblinear booster",
      edit: (model: Record<string, any>) => (model.learner.gradient_booster = { name: "gblinear", model: { weights: [] } }),
      message: /Unsupported XGBoost booster "gblinear"/,
    },
    {
      kind: "dart booster",
      edit: (model: Record<string, any>) =>
        (model.learner.gradient_booster = { name: "dart", gbtree: model.learner.gradient_booster, weight_drop: [] }),
      message: /Unsupported XGBoost booster "dart"/,
    },
    {
      kind: "XGBoost 2 model",
      edit: (model: Record<string, any>) => (model.version = [2, 0, 3]),
      message: /Unsupported XGBoost model version 2\.0\.3/,
    },
    {
      kind: "child index out of range",
      edit: (model: Record<string, any>) => (model.learner.gradient_booster.model.trees[0].left_children[0] = 999),
      message: /tree 0 node 0 has children 999 and/,
    },
  ])("parse rejects $kind", ({ edit, message }) => {
    expect(() => parseXGBoostModel(editedModelJson(edit))).toThrow(message);
  });

  it("parse rejects invalid JSON", () => {
    expect(() => parseXGBoostModel("{")).toThrow(/Invalid XGBoost model: the text is not valid JSON/);
  });
});
