// Aggregates over the prediction log for GET /stats, computed by SQL inside D1.

import { and, count, gte, lt, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { predictions } from "./schema";

export interface PredictionStats {
  total: number;
  by_decision: { delayed: number; on_time: number };
  by_served_by: Record<string, number>;
  cache_hits: number;
  /** Nearest-rank percentiles of latency_ms; null when the window has no rows. */
  latency_ms: { p50: number | null; p95: number | null; p99: number | null };
}

/** Counts and latency percentiles of the predictions returned in [since, until). */
export async function predictionStats(db: D1Database, since: string, until: string): Promise<PredictionStats> {
  const orm = drizzle(db);
  const window = and(gte(predictions.createdAt, since), lt(predictions.createdAt, until));

  const groups = await orm
    .select({
      servedBy: predictions.servedBy,
      isDelayed: predictions.isDelayed,
      cacheHit: predictions.cacheHit,
      rows: count(),
    })
    .from(predictions)
    .where(window)
    .groupBy(predictions.servedBy, predictions.isDelayed, predictions.cacheHit);

  // Nearest rank: the p-th percentile is the smallest value whose rank is at least p × n.
  const ranked = orm
    .$with("ranked")
    .as(
      orm
        .select({
          latency: sql<number>`${predictions.latencyMs}`.as("latency"),
          rank: sql<number>`row_number() over (order by ${predictions.latencyMs})`.as("rank"),
          total: sql<number>`count(*) over ()`.as("total"),
        })
        .from(predictions)
        .where(window),
    );
  const [percentiles] = await orm
    .with(ranked)
    .select({
      p50: sql<number | null>`min(case when ${ranked.rank} >= 0.50 * ${ranked.total} then ${ranked.latency} end)`,
      p95: sql<number | null>`min(case when ${ranked.rank} >= 0.95 * ${ranked.total} then ${ranked.latency} end)`,
      p99: sql<number | null>`min(case when ${ranked.rank} >= 0.99 * ${ranked.total} then ${ranked.latency} end)`,
    })
    .from(ranked);

  const stats: PredictionStats = {
    total: 0,
    by_decision: { delayed: 0, on_time: 0 },
    by_served_by: {},
    cache_hits: 0,
    latency_ms: { p50: percentiles?.p50 ?? null, p95: percentiles?.p95 ?? null, p99: percentiles?.p99 ?? null },
  };
  for (const group of groups) {
    stats.total += group.rows;
    stats.by_decision[group.isDelayed ? "delayed" : "on_time"] += group.rows;
    stats.by_served_by[group.servedBy] = (stats.by_served_by[group.servedBy] ?? 0) + group.rows;
    if (group.cacheHit) stats.cache_hits += group.rows;
  }
  return stats;
}
