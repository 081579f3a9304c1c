// Settings from wrangler.toml [vars], read once per request with defaults and bounds, so a missing
// or mistyped value degrades to a safe default instead of failing requests.

import { MIN_CACHE_TTL_SECONDS } from "./cache/prediction-cache";

export interface EdgeConfig {
  cacheTtlSeconds: number;
  maxBodyBytes: number;
  rateLimit: { limit: number; periodSeconds: number };
}

export const DEFAULTS: EdgeConfig = {
  cacheTtlSeconds: 3600,
  maxBodyBytes: 64 * 1024,
  rateLimit: { limit: 10, periodSeconds: 60 },
};

export function readConfig(env: Env): EdgeConfig {
  return {
    cacheTtlSeconds: Math.max(MIN_CACHE_TTL_SECONDS, positive(env.CACHE_TTL_SECONDS, DEFAULTS.cacheTtlSeconds)),
    maxBodyBytes: positive(env.MAX_BODY_BYTES, DEFAULTS.maxBodyBytes),
    rateLimit: {
      limit: positive(env.RATE_LIMIT_REQUESTS, DEFAULTS.rateLimit.limit),
      periodSeconds: positive(env.RATE_LIMIT_PERIOD_SECONDS, DEFAULTS.rateLimit.periodSeconds),
    },
  };
}

function positive(value: unknown, fallback: number): number {
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}
