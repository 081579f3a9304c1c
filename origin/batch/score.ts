// Scores batch rows in chunks: one onnxruntime session call per chunk, results in input order,
// and an inline error for each row that fails validation. The rest of the batch goes on.

import { FEATURE_COUNT, writeFeatures } from "../../core/features";
import { canonicalizeFlight, type CanonicalFlight, type FieldProblem } from "../../core/flight";
import { buildPrediction, type Prediction } from "../../core/prediction";
import { scoreRows, type LoadedModel } from "../models";
import type { OriginServices } from "../services";
import { logRow } from "../routes/predict";
import type { InputRow, RowError } from "./read";

/** Rows per session call: large enough to amortise the call, small enough to stream promptly. */
export const CHUNK_ROWS = 1024;

export type BatchResult =
  | { row: number; prediction: Prediction }
  | { row: number; error: { code: string; problems: FieldProblem[] } };

export async function* scoreBatch(
  rows: AsyncIterable<InputRow>,
  model: LoadedModel,
  requestId: string,
  services: OriginServices,
): AsyncGenerator<BatchResult[]> {
  const label = `${model.name} v${model.version}`;
  const features = new Float32Array(CHUNK_ROWS * FEATURE_COUNT);
  let pending: Array<{ row: number; flight?: CanonicalFlight; error?: BatchResult & { error: unknown } }> = [];
  let valid = 0;

  const flush = async (): Promise<BatchResult[]> => {
    const started = performance.now();
    const timer = services.metrics.inferenceDuration.startTimer({ model_type: model.type });
    const probabilities = valid > 0 ? await scoreRows(model, features, valid) : new Float32Array(0);
    timer();
    const latencyMs = (performance.now() - started) / Math.max(1, valid);

    const results: BatchResult[] = [];
    const logRows = [];
    let k = 0;
    for (const item of pending) {
      if (item.error) {
        results.push(item.error);
        continue;
      }
      const prediction = buildPrediction(item.flight!, probabilities[k++]!, { model, servedBy: "origin", cached: false, requestId });
      results.push({ row: item.row, prediction });
      logRows.push(logRow(prediction, item.flight!, latencyMs, item.row));
      services.metrics.predictions.inc({ model_type: model.type, result: prediction.is_delayed ? "delayed" : "on_time" });
    }
    services.metrics.batchRows.inc({ model_type: model.type, outcome: "scored" }, valid);
    services.metrics.batchRows.inc({ model_type: model.type, outcome: "error" }, pending.length - valid);

    // A slow database slows the batch rather than dropping its log rows (unless the database is down).
    await services.log.waitForRoom(logRows.length);
    services.log.add(logRows);
    pending = [];
    valid = 0;
    return results;
  };

  for await (const input of rows) {
    const result = "error" in input ? input : validateRow(input.value, model, label);
    if ("flight" in result) {
      writeFeatures(model.tables, result.flight, features, valid * FEATURE_COUNT);
      valid++;
      pending.push({ row: input.row, flight: result.flight });
    } else {
      pending.push({ row: input.row, error: { row: input.row, error: result.error } });
    }
    if (pending.length === CHUNK_ROWS) yield await flush();
  }
  if (pending.length > 0) yield await flush();
}

/**
 * Validates one row for the batch's model. A row that names another model is an error rather than
 * being scored by this one, because the whole batch goes through one model in chunks.
 */
function validateRow(value: unknown, model: LoadedModel, label: string): { flight: CanonicalFlight } | { error: RowError } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { error: { code: "invalid_request", problems: [{ field: "row", message: { code: "row_not_an_object" } }] } };
  }

  const requested = (value as { model?: unknown }).model;
  if ((requested === "edge" || requested === "full") && requested !== model.type) {
    const message = { code: "model_mismatch" as const, params: { batch: model.type, row: requested } };
    return { error: { code: "invalid_request", problems: [{ field: "model", message }] } };
  }

  const result = canonicalizeFlight(value, model.tables, label);
  if (result.ok) return { flight: result.flight };
  return { error: { code: result.status === 422 ? "unknown_airport" : "invalid_request", problems: result.problems } };
}
