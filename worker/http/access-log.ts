import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { logEvent } from "../log";

/**
 * Writes one JSON line per request with stable keys. In production the Workers clock only advances
 * across I/O, so latency_ms covers awaited work (KV, the first session load) rather than CPU time.
 */
export const accessLog = createMiddleware<AppEnv>(async function accessLog(c, next) {
  const started = performance.now();
  await next();
  logEvent("info", "request", {
    request_id: c.get("requestId"),
    method: c.req.method,
    route: c.req.routePath,
    status: c.res.status,
    latency_ms: Number((performance.now() - started).toFixed(3)),
    served_by: c.get("servedBy") ?? null,
    cache: c.get("cache") ?? null,
    model_version: c.get("servedModel") ?? null,
  });
});
