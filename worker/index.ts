// The edge Worker: a Hono app typed with the bindings generated from wrangler.toml.

import { Hono } from "hono";
import { ApiError, errorResponse } from "./http/errors";
import { requestId } from "./http/request-id";
import { healthRoutes } from "./routes/health";
import { predictRoutes } from "./routes/predict";
import type { AppEnv } from "./app-env";

const ROUTE_METHODS: Record<string, string> = { "/predict": "POST", "/health": "GET, HEAD" };

const app = new Hono<AppEnv>();

app.use(requestId);
app.use(async function accessLog(c, next) {
  const started = performance.now();
  await next();
  console.log(
    JSON.stringify({
      event: "request",
      request_id: c.get("requestId"),
      method: c.req.method,
      route: c.req.routePath,
      status: c.res.status,
      latency_ms: Number((performance.now() - started).toFixed(3)),
      served_by: c.get("servedBy") ?? null,
    }),
  );
});

app.route("/", healthRoutes);
app.route("/", predictRoutes);

app.notFound((c) => {
  const allowed = ROUTE_METHODS[c.req.path];
  if (allowed) {
    return errorResponse(
      c,
      new ApiError(405, "method_not_allowed", {
        code: "method_not_allowed",
        params: { method: c.req.method, path: c.req.path, allowed },
      }, [], { Allow: allowed }),
    );
  }
  return errorResponse(
    c,
    new ApiError(404, "not_found", { code: "not_found", params: { method: c.req.method, path: c.req.path } }),
  );
});

app.onError((error, c) => {
  if (error instanceof ApiError) return errorResponse(c, error);
  console.error(JSON.stringify({ event: "unhandled_error", request_id: c.get("requestId"), error: String(error), stack: error.stack }));
  return errorResponse(c, new ApiError(500, "internal_error", { code: "internal_error" }));
});

export default app;
