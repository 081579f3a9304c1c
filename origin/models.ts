// The models the origin serves, loaded from the model repository (`<name>/<version>/`) into
// onnxruntime-node sessions at start.

import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { FEATURE_COUNT } from "../core/features";
import type { ServedModel } from "../core/prediction";
import { compileTables, type CompiledTables, type LookupTables } from "../core/tables";

export const MODEL_TYPES = ["full", "edge"] as const;
export type ModelType = (typeof MODEL_TYPES)[number];

export interface LoadedModel extends ServedModel {
  type: ModelType;
  tables: CompiledTables;
  session: ort.InferenceSession;
}

export type ModelSet = Record<ModelType, LoadedModel>;

/**
 * Loads the newest version of each model (the largest numeric folder name), or the version named
 * by MODEL_<TYPE>_VERSION (for example MODEL_FULL_VERSION=2).
 */
export async function loadModels(modelsDir: string, env: NodeJS.ProcessEnv = process.env): Promise<ModelSet> {
  const entries = await Promise.all(
    MODEL_TYPES.map(async (type) => [type, await loadModel(modelsDir, type, env[`MODEL_${type.toUpperCase()}_VERSION`])] as const),
  );
  return Object.fromEntries(entries) as ModelSet;
}

async function loadModel(modelsDir: string, type: ModelType, version: string | undefined): Promise<LoadedModel> {
  const chosen = version ?? (await newestVersion(join(modelsDir, type)));
  const folder = join(modelsDir, type, chosen);
  const [onnx, tables, card] = await Promise.all([
    readFile(join(folder, "model.onnx")),
    readFile(join(folder, "tables.json"), "utf8"),
    readFile(join(folder, "model-card.json"), "utf8"),
  ]);
  const meta = JSON.parse(card) as { name: string; version: string; threshold: number };
  const session = await ort.InferenceSession.create(onnx, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  return {
    type,
    name: meta.name,
    version: meta.version,
    threshold: meta.threshold,
    tables: compileTables(JSON.parse(tables) as LookupTables),
    session,
  };
}

async function newestVersion(folder: string): Promise<string> {
  const versions = (await readdir(folder, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory() && /^\d+$/.test(entry.name))
    .map((entry) => entry.name)
    .sort((a, b) => Number(a) - Number(b));
  const newest = versions.at(-1);
  if (!newest) throw new Error(`no model version folder (such as 1/) in ${folder}`);
  return newest;
}

/** Runs one session call on `rows` feature rows; returns P(delayed) per row. */
export async function scoreRows(model: LoadedModel, features: Float32Array, rows: number): Promise<Float32Array> {
  const input = new ort.Tensor("float32", features.subarray(0, rows * FEATURE_COUNT), [rows, FEATURE_COUNT]);
  // Only the probabilities: the int64 label output would be converted for nothing.
  const output = await model.session.run({ features: input }, ["probabilities"]);
  const probabilities = output.probabilities!.data as Float32Array;
  const delayed = new Float32Array(rows);
  for (let r = 0; r < rows; r++) delayed[r] = probabilities[r * 2 + 1]!;
  return delayed;
}
