// The D1 prediction log. One row per returned prediction, with no IP address or other personal data.

import { index, integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const predictions = sqliteTable(
  "predictions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    requestId: text("request_id").notNull(),
    /** UTC time of the response, ISO 8601 with milliseconds, so text order is time order. */
    createdAt: text("created_at").notNull(),
    modelName: text("model_name").notNull(),
    modelVersion: text("model_version").notNull(),
    origin: text("origin").notNull(),
    destination: text("destination").notNull(),
    /** Canonical scheduled departure, local time at the origin (`YYYY-MM-DDTHH:MM`). */
    departure: text("departure").notNull(),
    distanceMiles: integer("distance_miles").notNull(),
    /** The client's own id, such as a flight number. */
    reference: text("reference"),
    probability: real("probability").notNull(),
    isDelayed: integer("is_delayed", { mode: "boolean" }).notNull(),
    servedBy: text("served_by", { enum: ["edge", "origin"] }).notNull(),
    cacheHit: integer("cache_hit", { mode: "boolean" }).notNull(),
    latencyMs: real("latency_ms").notNull(),
    /** Cloudflare data center (`request.cf.colo`) and client country, when the platform provides them. */
    colo: text("colo"),
    country: text("country"),
  },
  (table) => [index("predictions_created_at").on(table.createdAt), index("predictions_request_id").on(table.requestId)],
);

export type PredictionRow = typeof predictions.$inferInsert;
