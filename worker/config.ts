// Settings from wrangler.toml [vars], read once per request with defaults and bounds, so a missing
// or mistyped value degrades to a safe default instead of failing requests.

import { MIN_CACHE_TTL_SECONDS } from "./cache/prediction-cache";
import type { LogBatchSettings } from "./db/prediction-log";

export interface EdgeConfig {
  cacheTtlSeconds: number;
  maxBodyBytes: number;
  rateLimit: { limit: number; periodSeconds: number };
  logBatch: LogBatchSettings;
}

export const DEFAULTS: EdgeConfig = {
  cacheTtlSeconds: 3600,
  maxBodyBytes: 64 * 1024,
  rateLimit: { limit: 10, periodSeconds: 60 },
  logBatch: { maxRows: 100, waitMs: 200 },
};

/**
 * Upper bounds of the log batch. 200 rows make 40 insert statements, within the 50 queries that D1
 * allows one invocation on the free plan; 5 s stays far inside the 30 s that waitUntil may run.
 */
const MAX_LOG_BATCH_ROWS = 200;
const MAX_LOG_BATCH_WAIT_MS = 5000;

export function readConfig(env: Env): EdgeConfig {
  return {
    cacheTtlSeconds: Math.max(MIN_CACHE_TTL_SECONDS, positive(env.CACHE_TTL_SECONDS, DEFAULTS.cacheTtlSeconds)),
    maxBodyBytes: positive(env.MAX_BODY_BYTES, DEFAULTS.maxBodyBytes),
    rateLimit: {
      limit: positive(env.RATE_LIMIT_REQUESTS, DEFAULTS.rateLimit.limit),
      periodSeconds: positive(env.RATE_LIMIT_PERIOD_SECONDS, DEFAULTS.rateLimit.periodSeconds),
    },
    logBatch: {
      maxRows: Math.min(MAX_LOG_BATCH_ROWS, Math.floor(positive(env.LOG_BATCH_ROWS, DEFAULTS.logBatch.maxRows))),
      waitMs: Math.min(MAX_LOG_BATCH_WAIT_MS, nonNegative(env.LOG_BATCH_WAIT_MS, DEFAULTS.logBatch.waitMs)),
    },
  };
}

function positive(value: unknown, fallback: number): number {
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

function nonNegative(value: unknown, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}
