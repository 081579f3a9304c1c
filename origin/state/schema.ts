// The PostgreSQL prediction log: the same columns as the edge's D1 log, with native types.

import { bigserial, boolean, doublePrecision, index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

export const predictions = pgTable(
  "predictions",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    requestId: text("request_id").notNull(),
    /** Row number inside a batch request (1-based); null for a single prediction. */
    batchRow: integer("batch_row"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull(),
    modelName: text("model_name").notNull(),
    modelVersion: text("model_version").notNull(),
    origin: text("origin").notNull(),
    destination: text("destination").notNull(),
    /** Canonical scheduled departure, local time at the origin (`YYYY-MM-DDTHH:MM`). */
    departure: text("departure").notNull(),
    distanceMiles: integer("distance_miles").notNull(),
    reference: text("reference"),
    probability: doublePrecision("probability").notNull(),
    isDelayed: boolean("is_delayed").notNull(),
    servedBy: text("served_by").notNull(),
    cacheHit: boolean("cache_hit").notNull(),
    latencyMs: doublePrecision("latency_ms").notNull(),
  },
  (table) => [index("predictions_created_at").on(table.createdAt), index("predictions_request_id").on(table.requestId)],
);

export type PredictionRow = typeof predictions.$inferInsert;
