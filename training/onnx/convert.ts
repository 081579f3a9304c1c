// Converts an XGBoost binary:logistic gbtree model into an ONNX model with a single ai.onnx.ml
// TreeEnsembleClassifier node whose leaf weights are margins (log-odds), as in the XGBoost model.
// test/node/convert.test.ts checks the result against predictions of the XGBoost 1.7.4 CLI.

import onnxProto from "onnx-proto";
import { isLeaf, readBaseScore, validateXGBoostModel, type XGBoostModel, type XGBoostTree } from "./xgboost-model";

const { onnx } = onnxProto;

/** Name of the float32 [batch, featureCount] input tensor. */
export const FEATURES_INPUT = "features";
/**
 * Name of the int64 [batch] output tensor. onnxruntime 1.31.1 returns 1 when the margin (log-odds) is above 0
 * and 0 otherwise, so a probability of exactly 0.5 (margin 0) gets label 0.
 */
export const LABEL_OUTPUT = "label";
/** Name of the float32 [batch, 2] output tensor: column 0 is P(class 0), column 1 is P(class 1). */
export const PROBABILITIES_OUTPUT = "probabilities";

/** ONNX IR version 8, the newest that onnx-proto 8.0.1 (ONNX 1.10.2) defines. Opset 17 of ONNX 1.12 also uses IR 8. */
const IR_VERSION = 8;
const DEFAULT_OPSET = 17;
const ML_DOMAIN = "ai.onnx.ml";
/** TreeEnsembleClassifier has been in ai.onnx.ml since opset 1. Opset 3 only added the *_as_tensor attributes. */
const ML_OPSET = 3;

export interface ConvertOptions {
  /** One name per model feature, in input column order. Stored in the model metadata as a JSON array. */
  featureNames: string[];
  /** Stored in ModelProto.producer_version. */
  producerVersion?: string;
  /** Stored in ModelProto.doc_string. */
  docString?: string;
}

/** Parallel node and leaf-weight arrays of a TreeEnsembleClassifier, one entry per node or per leaf. */
interface TreeEnsembleArrays {
  nodesTreeIds: number[];
  nodesNodeIds: number[];
  nodesFeatureIds: number[];
  nodesModes: string[];
  nodesValues: number[];
  nodesTrueNodeIds: number[];
  nodesFalseNodeIds: number[];
  nodesMissingValueTracksTrue: number[];
  classTreeIds: number[];
  classNodeIds: number[];
  classIds: number[];
  classWeights: number[];
}

/**
 * Converts an XGBoost 1.x binary:logistic gbtree model into serialized ONNX ModelProto bytes.
 *
 * The graph has one input, `features` (float32 [batch, featureCount], NaN for a missing value),
 * and two outputs: `label` (int64 [batch]) and `probabilities` (float32 [batch, 2], column 1 is the
 * probability of class 1). It contains no ZipMap, so both outputs are plain tensors.
 *
 * @throws Error when the model fails validateXGBoostModel or featureNames does not match num_feature.
 */
export function convertXGBoostToOnnx(model: XGBoostModel, options: ConvertOptions): Uint8Array {
  validateXGBoostModel(model);
  const featureCount = Number(model.learner.learner_model_param.num_feature);
  checkFeatureNames(options.featureNames, featureCount);

  const ensemble = buildTreeEnsembleArrays(model.learner.gradient_booster.model.trees);
  const baseMargin = probabilityToMargin(readBaseScore(model.learner));
  const classifier = createClassifierNode(ensemble, baseMargin);

  const graph = onnx.GraphProto.create({
    name: "xgboost_binary_classifier",
    node: [classifier],
    input: [tensorValueInfo(FEATURES_INPUT, onnx.TensorProto.DataType.FLOAT, ["batch", featureCount])],
    output: [
      tensorValueInfo(LABEL_OUTPUT, onnx.TensorProto.DataType.INT64, ["batch"]),
      tensorValueInfo(PROBABILITIES_OUTPUT, onnx.TensorProto.DataType.FLOAT, ["batch", 2]),
    ],
  });

  const modelProto = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    producerName: "flight-delay",
    producerVersion: options.producerVersion ?? "",
    docString: options.docString ?? "",
    opsetImport: [
      { domain: "", version: DEFAULT_OPSET },
      { domain: ML_DOMAIN, version: ML_OPSET },
    ],
    metadataProps: [
      { key: "feature_names", value: JSON.stringify(options.featureNames) },
      { key: "xgboost_version", value: model.version.join(".") },
    ],
    graph,
  });
  return onnx.ModelProto.encode(modelProto).finish();
}

/**
 * Returns logit(p) computed in float32 steps, as XGBoost's LogisticRegression::ProbToMargin does
 * (`-logf(1.0f / base_score - 1.0f)`), so the ONNX base value equals XGBoost's base margin.
 */
export function probabilityToMargin(probability: number): number {
  const p = Math.fround(probability);
  const odds = Math.fround(Math.fround(1 / p) - 1);
  return Math.fround(-Math.log(odds));
}

function checkFeatureNames(featureNames: string[], featureCount: number): void {
  if (featureNames.length !== featureCount) {
    throw new Error(
      `featureNames has ${featureNames.length} names but the XGBoost model has num_feature=${featureCount}. ` +
        "Pass one name per model feature, in input column order.",
    );
  }
  const emptyIndex = featureNames.findIndex((name) => name.length === 0);
  if (emptyIndex !== -1) {
    throw new Error(`featureNames[${emptyIndex}] is empty. Every feature needs a name.`);
  }
}

function buildTreeEnsembleArrays(trees: XGBoostTree[]): TreeEnsembleArrays {
  const ensemble: TreeEnsembleArrays = {
    nodesTreeIds: [],
    nodesNodeIds: [],
    nodesFeatureIds: [],
    nodesModes: [],
    nodesValues: [],
    nodesTrueNodeIds: [],
    nodesFalseNodeIds: [],
    nodesMissingValueTracksTrue: [],
    classTreeIds: [],
    classNodeIds: [],
    classIds: [],
    classWeights: [],
  };
  trees.forEach((tree, treeId) => appendTree(ensemble, tree, treeId));
  return ensemble;
}

/**
 * Appends the nodes that are reachable from the root of `tree`, renumbered 0, 1, 2, ... in depth-first order.
 * After pruning, XGBoost keeps the deleted nodes in the arrays. Skipping them keeps dead nodes out of the graph
 * (more than half of all nodes in the pruned test fixture) and leaves no gaps in the ONNX node ids.
 */
function appendTree(ensemble: TreeEnsembleArrays, tree: XGBoostTree, treeId: number): void {
  const order = listReachableNodes(tree);
  const onnxNodeId = new Map(order.map((node, index) => [node, index]));

  for (const node of order) {
    const nodeId = onnxNodeId.get(node)!;
    ensemble.nodesTreeIds.push(treeId);
    ensemble.nodesNodeIds.push(nodeId);

    if (isLeaf(tree, node)) {
      appendLeaf(ensemble, treeId, nodeId, tree.split_conditions[node]!);
      continue;
    }

    // XGBoost sends a row to the left child when `value < threshold`, so the left child is the ONNX true branch.
    ensemble.nodesModes.push("BRANCH_LT");
    ensemble.nodesFeatureIds.push(tree.split_indices[node]!);
    // XGBoost compares float32 values. The JSON text is the shortest decimal that reads back as that float32.
    ensemble.nodesValues.push(Math.fround(tree.split_conditions[node]!));
    ensemble.nodesTrueNodeIds.push(onnxNodeId.get(tree.left_children[node]!)!);
    ensemble.nodesFalseNodeIds.push(onnxNodeId.get(tree.right_children[node]!)!);
    // A missing value (NaN) follows default_left, and left is the true branch.
    ensemble.nodesMissingValueTracksTrue.push(isDefaultLeft(tree.default_left[node]!) ? 1 : 0);
  }
}

/** Appends the leaf fields of node `nodeId`, whose node id and tree id the caller has already pushed. */
function appendLeaf(ensemble: TreeEnsembleArrays, treeId: number, nodeId: number, leafValue: number): void {
  ensemble.nodesModes.push("LEAF");
  ensemble.nodesFeatureIds.push(0);
  ensemble.nodesValues.push(0);
  ensemble.nodesTrueNodeIds.push(0);
  ensemble.nodesFalseNodeIds.push(0);
  ensemble.nodesMissingValueTracksTrue.push(0);

  // Each leaf has one weight, for class id 0, which is its margin contribution. With one class id and two
  // class labels, onnxruntime adds base_values[0] to the summed weights and, under post_transform LOGISTIC,
  // outputs [sigmoid(-margin), sigmoid(margin)].
  // XGBoost stores the leaf value, learning rate applied, in split_conditions. The base_weights of leaves in
  // exact trees lack the learning rate, so they are not used.
  ensemble.classTreeIds.push(treeId);
  ensemble.classNodeIds.push(nodeId);
  ensemble.classIds.push(0);
  ensemble.classWeights.push(Math.fround(leafValue));
}

/** Returns the node indices reachable from the root, in depth-first order with the left child first. */
function listReachableNodes(tree: XGBoostTree): number[] {
  const order: number[] = [];
  const pending = [0];
  while (pending.length > 0) {
    const node = pending.pop()!;
    order.push(node);
    if (!isLeaf(tree, node)) {
      pending.push(tree.right_children[node]!, tree.left_children[node]!);
    }
  }
  return order;
}

function isDefaultLeft(flag: number | boolean): boolean {
  return flag === true || flag === 1;
}

function createClassifierNode(ensemble: TreeEnsembleArrays, baseMargin: number): onnxProto.onnx.INodeProto {
  return onnx.NodeProto.create({
    name: "xgboost_trees",
    opType: "TreeEnsembleClassifier",
    domain: ML_DOMAIN,
    input: [FEATURES_INPUT],
    output: [LABEL_OUTPUT, PROBABILITIES_OUTPUT],
    attribute: [
      intsAttribute("classlabels_int64s", [0, 1]),
      stringAttribute("post_transform", "LOGISTIC"),
      floatsAttribute("base_values", [baseMargin]),
      intsAttribute("nodes_treeids", ensemble.nodesTreeIds),
      intsAttribute("nodes_nodeids", ensemble.nodesNodeIds),
      intsAttribute("nodes_featureids", ensemble.nodesFeatureIds),
      stringsAttribute("nodes_modes", ensemble.nodesModes),
      floatsAttribute("nodes_values", ensemble.nodesValues),
      intsAttribute("nodes_truenodeids", ensemble.nodesTrueNodeIds),
      intsAttribute("nodes_falsenodeids", ensemble.nodesFalseNodeIds),
      intsAttribute("nodes_missing_value_tracks_true", ensemble.nodesMissingValueTracksTrue),
      intsAttribute("class_treeids", ensemble.classTreeIds),
      intsAttribute("class_nodeids", ensemble.classNodeIds),
      intsAttribute("class_ids", ensemble.classIds),
      floatsAttribute("class_weights", ensemble.classWeights),
    ],
  });
}

function tensorValueInfo(name: string, elemType: number, dims: (string | number)[]): onnxProto.onnx.IValueInfoProto {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((dim) => (typeof dim === "string" ? { dimParam: dim } : { dimValue: dim })) },
      },
    },
  });
}

function intsAttribute(name: string, ints: number[]): onnxProto.onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INTS, ints };
}

function floatsAttribute(name: string, floats: number[]): onnxProto.onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.FLOATS, floats };
}

function stringAttribute(name: string, value: string): onnxProto.onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(value) };
}

function stringsAttribute(name: string, values: string[]): onnxProto.onnx.IAttributeProto {
  const encoder = new TextEncoder();
  return { name, type: onnx.AttributeProto.AttributeType.STRINGS, strings: values.map((value) => encoder.encode(value)) };
}
