// Writes prediction rows to D1 after the response has been sent. Rows from the requests that one
// isolate serves within a short window share one D1 batch, so D1 receives one round trip per window
// instead of one per prediction. Each request hands the promise of its own row's batch to
// ctx.waitUntil, which keeps the isolate alive until that batch is written: no row waits in memory
// beyond the life of its request.

import { drizzle } from "drizzle-orm/d1";
import { errorText, logEvent } from "../log";
import { type PredictionRow, predictions } from "./schema";

/** Delays before the second and third attempts; three attempts in all. */
export const RETRY_DELAYS_MS = [50, 250];

/** D1 binds at most 100 parameters per statement; a row binds one per column. */
const ROWS_PER_STATEMENT = Math.floor(100 / Object.keys(predictions).length);

export interface LogBatchSettings {
  /** A batch is written as soon as it contains this many rows. */
  maxRows: number;
  /** ...or this long after its first row arrived. */
  waitMs: number;
}

interface OpenBatch {
  rows: PredictionRow[];
  written: Promise<boolean>;
  settle: (stored: boolean) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** One open batch per D1 binding, so rows never land in another binding's database. */
const openBatches = new Map<D1Database, OpenBatch>();

/**
 * Queues one prediction row. Resolves to true once the batch holding it is stored and to false when
 * every attempt failed (each failure is logged with the request ids). It never rejects, so it is
 * safe to hand to waitUntil.
 */
export function logPrediction(db: D1Database, row: PredictionRow, settings: LogBatchSettings): Promise<boolean> {
  let batch = openBatches.get(db);
  if (!batch) {
    batch = openBatch(db, settings.waitMs);
    openBatches.set(db, batch);
  }
  batch.rows.push(row);
  const { written } = batch;
  if (batch.rows.length >= settings.maxRows) closeBatch(db, batch);
  return written;
}

function openBatch(db: D1Database, waitMs: number): OpenBatch {
  let settle!: (stored: boolean) => void;
  const written = new Promise<boolean>((resolve) => (settle = resolve));
  const batch: OpenBatch = { rows: [], written, settle, timer: undefined as never };
  batch.timer = setTimeout(() => closeBatch(db, batch), waitMs);
  return batch;
}

function closeBatch(db: D1Database, batch: OpenBatch): void {
  if (openBatches.get(db) !== batch) return;
  openBatches.delete(db);
  clearTimeout(batch.timer);
  void writeRows(db, batch.rows).then(batch.settle);
}

/** Inserts the rows in one D1 batch (a single transaction), retrying the whole batch on failure. */
async function writeRows(db: D1Database, rows: PredictionRow[]): Promise<boolean> {
  const orm = drizzle(db);
  const statements = [];
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    statements.push(orm.insert(predictions).values(rows.slice(start, start + ROWS_PER_STATEMENT)));
  }
  const [first, ...rest] = statements;

  for (let attempt = 0; ; attempt++) {
    try {
      await orm.batch([first!, ...rest]);
      return true;
    } catch (error) {
      const delay = RETRY_DELAYS_MS[attempt];
      const final = delay === undefined;
      // NOTE: a batch that D1 committed but whose response was lost is written twice by the retry.
      logEvent(final ? "error" : "warn", final ? "prediction_log_failed" : "prediction_log_retry", {
        request_ids: rows.map((row) => row.requestId),
        rows: rows.length,
        attempt: attempt + 1,
        error: errorText(error),
      });
      if (final) return false;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
