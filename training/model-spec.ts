// Hyperparameters of each model the pipeline trains. The edge model must fit a Worker bundle
// (target ≤ 1 MB gzipped ONNX), so it trades depth and tree count for size. The full model runs on
// the origin, where size matters less, and uses deeper trees and more of them.

import type { XGBoostParams } from "./xgboost";

export interface ModelSpec {
  name: string;
  description: string;
  params: XGBoostParams;
  rounds: number;
  /** Pseudo-count of the smoothed delay rates in the lookup tables. */
  smoothing: number;
  /** Whether the Worker bundles this model, so training rewrites `models/<name>/current.ts`. */
  bundledInWorker: boolean;
}

export const MODEL_SPECS: Record<string, ModelSpec> = {
  edge: {
    name: "edge",
    description: "compact gradient-boosted trees served inside the Cloudflare Worker",
    rounds: 400,
    smoothing: 50,
    bundledInWorker: true,
    params: {
      booster: "gbtree",
      objective: "binary:logistic",
      eval_metric: "auc",
      tree_method: "hist",
      max_bin: 256,
      eta: 0.1,
      max_depth: 6,
      min_child_weight: 100,
      subsample: 0.8,
      colsample_bytree: 0.8,
      lambda: 1,
      seed: 2001,
    },
  },
  full: {
    name: "full",
    description: "larger gradient-boosted trees served only by the origin (Node.js, onnxruntime-node)",
    rounds: 600,
    smoothing: 50,
    bundledInWorker: false,
    params: {
      booster: "gbtree",
      objective: "binary:logistic",
      eval_metric: "auc",
      tree_method: "hist",
      max_bin: 256,
      eta: 0.07,
      max_depth: 8,
      min_child_weight: 50,
      subsample: 0.8,
      colsample_bytree: 0.8,
      lambda: 1,
      seed: 2001,
    },
  },
};
