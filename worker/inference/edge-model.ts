// The edge model of this isolate: created on first use (nothing heavy runs at module scope) and
// kept for the isolate's lifetime. A failed load is retried by the next request.

import { FEATURE_COUNT } from "../../core/features";
import { compileTables, type CompiledTables, type LookupTables } from "../../core/tables";
import { card, onnx, tables } from "../../models/edge/current";
import { createOrtSession, ort } from "./wasm-adapter";

export interface EdgeModel {
  name: string;
  version: string;
  threshold: number;
  tables: CompiledTables;
  session: ort.InferenceSession;
}

/** Name, version and threshold, available without loading the session. */
export const EDGE_MODEL_INFO = { name: card.name, version: card.version, threshold: card.threshold };

let loading: Promise<EdgeModel> | undefined;
let loaded: EdgeModel | undefined;
let compiledTables: CompiledTables | undefined;

/** Returns the lookup tables with Map indexes, which validation needs before any session exists. */
export function edgeTables(): CompiledTables {
  compiledTables ??= compileTables(tables as unknown as LookupTables);
  return compiledTables;
}

export function isEdgeModelLoaded(): boolean {
  return loaded !== undefined;
}

/** Returns this isolate's model, creating the ONNX session on the first call. */
export function loadEdgeModel(): Promise<EdgeModel> {
  loading ??= createModel().then(
    (model) => (loaded = model),
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}

async function createModel(): Promise<EdgeModel> {
  const session = await createOrtSession(new Uint8Array(onnx));
  return {
    ...EDGE_MODEL_INFO,
    tables: edgeTables(),
    session,
  };
}

/** Runs the model on `rows` feature rows; returns P(delayed) per row. */
export async function scoreRows(model: EdgeModel, features: Float32Array, rows: number): Promise<Float32Array> {
  const input = new ort.Tensor("float32", features, [rows, FEATURE_COUNT]);
  // Fetching only the probabilities skips the int64 label output, whose conversion made a one-row
  // call about seven times slower in workerd (measured with a loop of single-row calls).
  const output = await model.session.run({ features: input }, ["probabilities"]);
  const probabilities = output.probabilities!.data as Float32Array;
  const delayed = new Float32Array(rows);
  for (let r = 0; r < rows; r++) delayed[r] = probabilities[r * 2 + 1]!;
  return delayed;
}
