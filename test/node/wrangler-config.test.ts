// wrangler.toml invariants that the type system cannot see.

import { unstable_readConfig } from "wrangler";
import { describe, expect, it } from "vitest";

const ENVIRONMENTS = [undefined, "load", "staging", "production"] as const;

/** The parts of wrangler's resolved configuration these tests read. */
interface ResolvedConfig {
  vars: Record<string, unknown>;
  ratelimits: Array<{ name: string; simple: { limit: number; period: number } }>;
  kv_namespaces: Array<{ binding: string }>;
  d1_databases: Array<{ binding: string; migrations_dir?: string }>;
}

function readConfig(env?: string): ResolvedConfig {
  return unstable_readConfig({ config: "wrangler.toml", env }, {}) as unknown as ResolvedConfig;
}

describe("wrangler.toml", () => {
  for (const env of ENVIRONMENTS) {
    const name = env ?? "default";
    const config = readConfig(env);
    const vars = config.vars;

    it(`${name} env states its real rate limit`, () => {
      const limiter = config.ratelimits.find((r) => r.name === "RATE_LIMITER");
      expect(limiter).toBeDefined();
      expect(vars.RATE_LIMIT_REQUESTS).toBe(limiter!.simple.limit);
      expect(vars.RATE_LIMIT_PERIOD_SECONDS).toBe(limiter!.simple.period);
    });

    it(`${name} env declares cache and log`, () => {
      expect(config.kv_namespaces.map((k) => k.binding)).toEqual(["PREDICTION_CACHE"]);
      expect(config.d1_databases.map((d) => [d.binding, d.migrations_dir])).toEqual([["DB", "migrations/d1"]]);
      expect(vars.CACHE_TTL_SECONDS).toBeGreaterThanOrEqual(60);
      expect(vars.MAX_BODY_BYTES).toBe(65536);
    });

    it(`${name} env batches log rows within the Worker's bounds`, () => {
      // worker/config.ts clamps out-of-range values, which would hide a typo here.
      expect(vars.LOG_BATCH_ROWS).toBeGreaterThanOrEqual(1);
      expect(vars.LOG_BATCH_ROWS).toBeLessThanOrEqual(200);
      expect(vars.LOG_BATCH_WAIT_MS).toBeGreaterThanOrEqual(0);
      expect(vars.LOG_BATCH_WAIT_MS).toBeLessThanOrEqual(5000);
    });
  }

  it("deployed envs keep their logs", () => {
    for (const env of ["staging", "production"]) {
      const config = unstable_readConfig({ config: "wrangler.toml", env }, {}) as unknown as { observability?: { enabled?: boolean } };
      expect(config.observability?.enabled, env).toBe(true);
    }
  });

  it("default env limits like the ingress", () => {
    const config = readConfig();
    expect(config.ratelimits[0]!.simple).toEqual({ limit: 10, period: 60 });
    expect(config.vars.CACHE_TTL_SECONDS).toBe(3600);
  });
});
