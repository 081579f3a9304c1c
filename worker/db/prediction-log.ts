// Writes prediction rows to D1 after the response has been sent (inside ctx.waitUntil). A failed
// write is retried with backoff; a row that still fails is logged with its request id, and the
// client's response never depends on it.

import { drizzle } from "drizzle-orm/d1";
import { errorText, logEvent } from "../log";
import { type PredictionRow, predictions } from "./schema";

/** Delays before the second and third attempts; three attempts in all. */
export const RETRY_DELAYS_MS = [50, 250];

/**
 * Inserts one prediction row, retrying on failure. Resolves to true when the row was stored and to
 * false when every attempt failed. It never rejects, so it is safe to hand to waitUntil.
 */
export async function logPrediction(db: D1Database, row: PredictionRow): Promise<boolean> {
  const orm = drizzle(db);

  for (let attempt = 0; ; attempt++) {
    try {
      await orm.insert(predictions).values(row);
      return true;
    } catch (error) {
      const delay = RETRY_DELAYS_MS[attempt];
      const final = delay === undefined;
      logEvent(final ? "error" : "warn", final ? "prediction_log_failed" : "prediction_log_retry", {
        request_id: row.requestId,
        attempt: attempt + 1,
        error: errorText(error),
      });
      if (final) return false;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
