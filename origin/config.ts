// Origin settings from environment variables, checked once at start so a typo fails loudly there
// instead of at the first request.

import { resolve } from "node:path";

export interface OriginConfig {
  host: string;
  port: number;
  /** When set, /metrics is served on this port only, and not on `port`. */
  metricsPort?: number;
  environment: string;
  logLevel: string;
  /** PostgreSQL connection string; unset means the embedded PGlite in `pgliteDataDir`. */
  databaseUrl?: string;
  pgliteDataDir: string;
  /** Redis connection string; unset means an in-process LRU cache. */
  redisUrl?: string;
  /** When set, every route except /health, /ready and /metrics requires it in X-Origin-Secret. */
  sharedSecret?: string;
  modelsDir: string;
  cacheTtlSeconds: number;
  /** Prediction log rows held in memory while the database is unreachable. */
  logBufferMaxRows: number;
  maxBodyBytes: number;
  /** Maximum wait for in-flight requests on SIGTERM before the process exits anyway. */
  shutdownGraceMs: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): OriginConfig {
  const port = integer(env, "PORT", 8000, 0, 65_535);
  const metricsPort = env.METRICS_PORT ? integer(env, "METRICS_PORT", 0, 0, 65_535) : undefined;
  if (metricsPort !== undefined && metricsPort !== 0 && metricsPort === port) {
    throw new Error(`METRICS_PORT must differ from PORT (both are ${port})`);
  }

  return {
    host: env.HOST ?? "127.0.0.1",
    port,
    metricsPort,
    environment: env.ENVIRONMENT ?? "development",
    logLevel: env.LOG_LEVEL ?? "info",
    databaseUrl: nonEmpty(env.DATABASE_URL),
    pgliteDataDir: resolve(env.PGLITE_DATA_DIR ?? "/tmp/flight-delay-pglite"),
    redisUrl: nonEmpty(env.REDIS_URL),
    sharedSecret: nonEmpty(env.ORIGIN_SHARED_SECRET),
    modelsDir: resolve(env.MODELS_DIR ?? "models"),
    cacheTtlSeconds: integer(env, "CACHE_TTL_SECONDS", 3600, 1, 30 * 86_400),
    logBufferMaxRows: integer(env, "LOG_BUFFER_MAX_ROWS", 200_000, 1, 10_000_000),
    maxBodyBytes: integer(env, "MAX_BODY_BYTES", 64 * 1024, 1, 100 * 2 ** 20),
    shutdownGraceMs: integer(env, "SHUTDOWN_GRACE_MS", 10_000, 0, 600_000),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() !== "" ? value : undefined;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got "${text}"`);
  }
  return value;
}
