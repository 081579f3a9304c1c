/**
 * Types and validation for the parts of XGBoost's JSON model format (as written by `save_model("*.json")`
 * or the CLI's `model_out=*.json`) that the ONNX converter reads. Checked against files written by XGBoost 1.7.4.
 *
 * XGBoost writes integer and float parameters inside `*_param` objects as strings ("5E-1", "20"),
 * and arrays of tree fields as JSON numbers.
 */

/** One regression tree in structure-of-arrays form: index i of every array describes node i, and node 0 is the root. */
export interface XGBoostTree {
  id: number;
  /** Node index of the left child, or -1 for a leaf. */
  left_children: number[];
  /** Node index of the right child, or -1 for a leaf. */
  right_children: number[];
  /** Feature index tested by a split node. The value at a leaf is unused. */
  split_indices: number[];
  /**
   * Threshold of a split node, or the leaf value of a leaf (learning rate already applied).
   * A row goes left when `feature < threshold`, both compared as float32.
   */
  split_conditions: number[];
  /** 1 (or true) when a missing feature value goes to the left child. */
  default_left: (number | boolean)[];
  /** Node weight before the learning rate is applied. Not used for prediction. */
  base_weights: number[];
  /** 0 for a numerical split, 1 for a categorical split. Absent before XGBoost 1.6. */
  split_type?: number[];
  categories?: number[];
  categories_nodes?: number[];
  tree_param: {
    num_nodes: string;
    num_feature: string;
    num_deleted?: string;
    size_leaf_vector?: string;
  };
}

export interface XGBoostGbtreeModel {
  gbtree_model_param: {
    num_trees: string;
    num_parallel_tree: string;
    size_leaf_vector?: string;
  };
  /** Output group (class index) of each tree. All 0 for binary classification. */
  tree_info: number[];
  trees: XGBoostTree[];
}

/** The root object of an XGBoost JSON model, restricted to a gbtree booster. */
export interface XGBoostModel {
  /** XGBoost version that wrote the file, e.g. [1, 7, 4]. */
  version: number[];
  learner: {
    learner_model_param: {
      /** Global bias in probability space for binary:logistic, e.g. "5E-1". */
      base_score: string;
      num_feature: string;
      num_class: string;
      num_target?: string;
    };
    gradient_booster: {
      name: string;
      model: XGBoostGbtreeModel;
    };
    objective: {
      name: string;
    };
  };
}

/**
 * Parses an XGBoost JSON model and checks that it is a binary:logistic gbtree model with numerical splits only.
 *
 * @throws Error naming the unsupported setting or the invalid field, so the caller can retrain or fix the file.
 */
export function parseXGBoostModel(jsonText: string): XGBoostModel {
  let parsed: unknown;
  try {
    parsed = JSON.parse(jsonText);
  } catch (error) {
    throw new Error(`Invalid XGBoost model: the text is not valid JSON (${(error as Error).message})`, { cause: error });
  }
  validateXGBoostModel(parsed);
  return parsed;
}

/**
 * Checks a parsed JSON value against everything the converter relies on.
 * The converter calls this again, so a model that was edited after parsing is checked too.
 */
export function validateXGBoostModel(value: unknown): asserts value is XGBoostModel {
  const root = expectObject(value, "model");
  checkVersion(root["version"]);

  const learner = expectObject(root["learner"], "learner");
  const objective = expectObject(learner["objective"], "learner.objective");
  const objectiveName = expectString(objective["name"], "learner.objective.name");
  if (objectiveName !== "binary:logistic") {
    throw new Error(
      `Unsupported XGBoost objective "${objectiveName}": only binary:logistic can be converted. ` +
        "Retrain the model with objective=binary:logistic.",
    );
  }

  const modelParam = expectObject(learner["learner_model_param"], "learner.learner_model_param");
  const numClass = parseIntegerParam(modelParam["num_class"], "learner.learner_model_param.num_class");
  if (numClass > 1) {
    throw new Error(`Unsupported XGBoost model: multi-class models (num_class=${numClass}) cannot be converted.`);
  }
  if (modelParam["num_target"] !== undefined) {
    const numTarget = parseIntegerParam(modelParam["num_target"], "learner.learner_model_param.num_target");
    if (numTarget !== 1) {
      throw new Error(`Unsupported XGBoost model: multi-target models (num_target=${numTarget}) cannot be converted.`);
    }
  }
  const featureCount = parseIntegerParam(modelParam["num_feature"], "learner.learner_model_param.num_feature");
  if (featureCount < 1) {
    throw new Error(`Invalid XGBoost model: learner.learner_model_param.num_feature is ${featureCount}, expected at least 1.`);
  }
  readBaseScore(learner as unknown as XGBoostModel["learner"]);

  const booster = expectObject(learner["gradient_booster"], "learner.gradient_booster");
  const boosterName = expectString(booster["name"], "learner.gradient_booster.name");
  if (boosterName !== "gbtree") {
    // dart stores its trees under a nested gbtree but scales them by dropout weights at prediction time.
    throw new Error(`Unsupported XGBoost booster "${boosterName}": only gbtree can be converted.`);
  }
  checkGbtreeModel(expectObject(booster["model"], "learner.gradient_booster.model"), featureCount);
}

/** Returns base_score as a probability, which binary:logistic stores in probability space. */
export function readBaseScore(learner: XGBoostModel["learner"]): number {
  const text = learner.learner_model_param.base_score;
  const baseScore = typeof text === "string" ? Number(text) : Number.NaN;
  if (!(baseScore > 0 && baseScore < 1)) {
    throw new Error(
      `Invalid XGBoost model: learner.learner_model_param.base_score is ${JSON.stringify(text)}, ` +
        "expected a probability strictly between 0 and 1 for binary:logistic.",
    );
  }
  return baseScore;
}

/** Returns whether node `nodeIndex` of `tree` is a leaf. */
export function isLeaf(tree: XGBoostTree, nodeIndex: number): boolean {
  return tree.left_children[nodeIndex] === -1;
}

function checkVersion(value: unknown): void {
  if (!Array.isArray(value) || value.length < 2 || !value.every((part) => Number.isInteger(part))) {
    throw new Error(`Invalid XGBoost model: "version" is ${JSON.stringify(value)}, expected e.g. [1, 7, 4].`);
  }
  // Only files from XGBoost 1.7.4 were checked, and later versions changed base_score (estimated from the labels
  // since 2.0, a list since 3.1), so only 1.x is accepted.
  if (value[0] !== 1) {
    throw new Error(
      `Unsupported XGBoost model version ${value.join(".")}: only the XGBoost 1.x JSON format can be converted.`,
    );
  }
}

function checkGbtreeModel(gbtree: Record<string, unknown>, featureCount: number): void {
  const param = expectObject(gbtree["gbtree_model_param"], "gradient_booster.model.gbtree_model_param");
  const numParallelTree = parseIntegerParam(param["num_parallel_tree"], "gbtree_model_param.num_parallel_tree");
  if (numParallelTree !== 1) {
    throw new Error(
      `Unsupported XGBoost model: num_parallel_tree is ${numParallelTree}, but only models with num_parallel_tree=1 can be converted.`,
    );
  }
  checkScalarLeaves(param["size_leaf_vector"], "gbtree_model_param.size_leaf_vector");

  const trees = gbtree["trees"];
  if (!Array.isArray(trees) || trees.length === 0) {
    throw new Error("Invalid XGBoost model: gradient_booster.model.trees is missing or empty.");
  }
  const numTrees = parseIntegerParam(param["num_trees"], "gbtree_model_param.num_trees");
  if (numTrees !== trees.length) {
    throw new Error(`Invalid XGBoost model: num_trees is ${numTrees} but the model contains ${trees.length} trees.`);
  }

  const treeInfo = gbtree["tree_info"];
  if (!Array.isArray(treeInfo) || treeInfo.length !== trees.length || treeInfo.some((group) => group !== 0)) {
    throw new Error(
      "Unsupported XGBoost model: tree_info must contain output group 0 for every tree, as in a binary classifier.",
    );
  }

  trees.forEach((tree, treeIndex) => checkTree(tree, treeIndex, featureCount));
}

function checkTree(value: unknown, treeIndex: number, featureCount: number): void {
  const where = `tree ${treeIndex}`;
  const tree = expectObject(value, where);
  const treeParam = expectObject(tree["tree_param"], `${where} tree_param`);
  checkScalarLeaves(treeParam["size_leaf_vector"], `${where} tree_param.size_leaf_vector`);
  const nodeCount = parseIntegerParam(treeParam["num_nodes"], `${where} tree_param.num_nodes`);
  if (nodeCount < 1) {
    throw new Error(`Invalid XGBoost model: ${where} has num_nodes=${nodeCount}, expected at least 1.`);
  }

  const left = expectNumberArray(tree["left_children"], nodeCount, `${where} left_children`);
  const right = expectNumberArray(tree["right_children"], nodeCount, `${where} right_children`);
  const splitIndices = expectNumberArray(tree["split_indices"], nodeCount, `${where} split_indices`);
  const splitConditions = expectNumberArray(tree["split_conditions"], nodeCount, `${where} split_conditions`);
  checkDefaultLeft(tree["default_left"], nodeCount, where);
  checkNumericalSplits(tree, where);

  for (let node = 0; node < nodeCount; node++) {
    if (!Number.isFinite(splitConditions[node])) {
      throw new Error(`Invalid XGBoost model: ${where} node ${node} has a non-finite split condition or leaf value.`);
    }
    const leftChild = left[node]!;
    const rightChild = right[node]!;
    if (leftChild === -1 && rightChild === -1) continue;

    const childrenInRange = [leftChild, rightChild].every((child) => Number.isInteger(child) && child > 0 && child < nodeCount);
    if (!childrenInRange || leftChild === rightChild) {
      throw new Error(
        `Invalid XGBoost model: ${where} node ${node} has children ${leftChild} and ${rightChild}, ` +
          `expected two distinct node indices between 1 and ${nodeCount - 1}, or -1 and -1 for a leaf.`,
      );
    }
    const feature = splitIndices[node]!;
    if (!Number.isInteger(feature) || feature < 0 || feature >= featureCount) {
      throw new Error(
        `Invalid XGBoost model: ${where} node ${node} splits on feature ${feature}, but the model has ${featureCount} features.`,
      );
    }
  }
  checkReachableNodesFormTree(left, right, where);
}

/** Rejects categorical splits, which XGBoost 1.6+ marks with split_type 1 and a category list per node. */
function checkNumericalSplits(tree: Record<string, unknown>, where: string): void {
  const splitType = tree["split_type"];
  const categoricalNodes = tree["categories_nodes"];
  const hasCategoricalSplit =
    (Array.isArray(splitType) && splitType.some((type) => type !== 0)) ||
    (Array.isArray(categoricalNodes) && categoricalNodes.length > 0);
  if (hasCategoricalSplit) {
    throw new Error(
      `Unsupported XGBoost model: ${where} contains categorical splits. Retrain without enable_categorical ` +
        "or one-hot encode the categorical features.",
    );
  }
}

function checkDefaultLeft(value: unknown, nodeCount: number, where: string): void {
  const valid =
    Array.isArray(value) &&
    value.length === nodeCount &&
    value.every((flag) => flag === 0 || flag === 1 || flag === true || flag === false);
  if (!valid) {
    throw new Error(`Invalid XGBoost model: ${where} default_left must contain ${nodeCount} values of 0 or 1.`);
  }
}

/**
 * Walks the tree from the root and rejects cycles and nodes with two parents.
 * Nodes that the walk never reaches are allowed, because XGBoost keeps the slots of pruned (deleted) nodes.
 */
function checkReachableNodesFormTree(left: number[], right: number[], where: string): void {
  const visited = new Set<number>();
  const pending = [0];
  while (pending.length > 0) {
    const node = pending.pop()!;
    if (visited.has(node)) {
      throw new Error(`Invalid XGBoost model: ${where} reaches node ${node} twice, so its nodes do not form a tree.`);
    }
    visited.add(node);
    if (left[node] !== -1) pending.push(left[node]!, right[node]!);
  }
}

function checkScalarLeaves(value: unknown, name: string): void {
  if (value === undefined) return;
  const size = parseIntegerParam(value, name);
  if (size !== 0) {
    throw new Error(`Unsupported XGBoost model: ${name} is ${size}, but only scalar leaves (size 0) can be converted.`);
  }
}

function parseIntegerParam(value: unknown, name: string): number {
  const parsed = typeof value === "string" ? Number(value) : Number.NaN;
  if (!Number.isInteger(parsed)) {
    throw new Error(`Invalid XGBoost model: ${name} is ${JSON.stringify(value)}, expected an integer in a string.`);
  }
  return parsed;
}

function expectObject(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`Invalid XGBoost model: ${name} is missing or not a JSON object.`);
  }
  return value as Record<string, unknown>;
}

function expectString(value: unknown, name: string): string {
  if (typeof value !== "string") {
    throw new Error(`Invalid XGBoost model: ${name} is missing or not a string.`);
  }
  return value;
}

function expectNumberArray(value: unknown, length: number, name: string): number[] {
  if (!Array.isArray(value) || value.length !== length || !value.every((item) => typeof item === "number")) {
    throw new Error(`Invalid XGBoost model: ${name} must be an array of ${length} numbers (tree_param.num_nodes).`);
  }
  return value as number[];
}
