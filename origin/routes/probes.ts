// Liveness and readiness probes, and the Prometheus metrics route. None of them needs the shared secret.

import { Hono } from "hono";
import type { OriginEnv } from "../app-env";
import { MODEL_TYPES } from "../models";
import type { OriginServices } from "../services";

export function probeRoutes(services: OriginServices) {
  const { models, database, cache, log } = services;

  return new Hono<OriginEnv>()
    .get("/health", (c) => c.json({ status: "ok" }))
    .get("/ready", async (c) => {
      const databaseUp = await database.ping().then(
        () => true,
        () => false,
      );
      const dependencies = {
        database: { kind: database.kind, status: databaseUp && log.isHealthy() ? "ok" : "degraded", pending_log_rows: log.pending() },
        cache: { kind: cache.kind, status: cache.isHealthy() ? "ok" : "degraded" },
      };
      const degraded = Object.values(dependencies).some((d) => d.status !== "ok");
      // Degraded dependencies keep the origin ready: predictions still work without them.
      return c.json({
        status: degraded ? "degraded" : "ready",
        models: Object.fromEntries(MODEL_TYPES.map((type) => [type, { name: models[type].name, version: models[type].version }])),
        dependencies,
      });
    });
}

export function metricsRoutes(metrics: OriginServices["metrics"]) {
  return new Hono<OriginEnv>().get("/metrics", async (c) => {
    c.header("Content-Type", metrics.registry.contentType);
    return c.body(await metrics.registry.metrics());
  });
}
