// Request metrics and one access-log line per request, keyed by the route template so that
// label cardinality stays bounded.

import { createMiddleware } from "hono/factory";
import type { Logger } from "../logger";
import type { OriginMetrics } from "../metrics";
import type { OriginEnv } from "../app-env";

export function observe(metrics: OriginMetrics, logger: Logger) {
  return createMiddleware<OriginEnv>(async function observeRequest(c, next) {
    const started = performance.now();
    metrics.activeConnections.inc();
    try {
      await next();
    } finally {
      metrics.activeConnections.dec();
      const seconds = (performance.now() - started) / 1000;
      const endpoint = c.req.routePath === "/*" ? "unmatched" : c.req.routePath;
      metrics.httpRequests.inc({ method: c.req.method, endpoint, status: String(c.res.status) });
      metrics.httpDuration.observe({ method: c.req.method, endpoint }, seconds);
      logger.info(
        {
          request_id: c.get("requestId"),
          method: c.req.method,
          route: endpoint,
          status: c.res.status,
          latency_ms: Number((seconds * 1000).toFixed(3)),
          served_by: "origin",
          cache: c.get("cache") ?? null,
          model_version: c.get("modelVersion") ?? null,
        },
        "request",
      );
    }
  });
}
