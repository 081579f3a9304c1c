// The origin's Hono app: the edge's contract plus batch scoring, probes and metrics.

import { Hono } from "hono";
import { ApiError, errorResponse } from "../core/http/errors";
import { requestId } from "../core/http/request-id";
import type { OriginEnv } from "./app-env";
import { requireSharedSecret } from "./http/auth";
import { observe } from "./http/observe";
import { batchRoutes } from "./routes/batch";
import { predictRoutes } from "./routes/predict";
import { probeRoutes } from "./routes/probes";
import type { OriginServices } from "./services";

const ROUTE_METHODS: Record<string, string> = {
  "/predict": "POST",
  "/predict/batch": "POST",
  "/health": "GET, HEAD",
  "/ready": "GET, HEAD",
  "/metrics": "GET, HEAD",
};

export function createApp(services: OriginServices): Hono<OriginEnv> {
  const app = new Hono<OriginEnv>();

  app.use(requestId);
  app.use(observe(services.metrics, services.logger));
  app.use(requireSharedSecret(services.config.sharedSecret));

  app.route("/", probeRoutes(services));
  app.route("/", predictRoutes(services));
  app.route("/", batchRoutes(services));

  app.notFound((c) => {
    const allowed = ROUTE_METHODS[c.req.path];
    const params = { method: c.req.method, path: c.req.path };
    if (allowed) {
      const message = { code: "method_not_allowed" as const, params: { ...params, allowed } };
      return errorResponse(c, new ApiError(405, "method_not_allowed", message, [], { Allow: allowed }));
    }
    return errorResponse(c, new ApiError(404, "not_found", { code: "not_found", params }));
  });

  app.onError((error, c) => {
    if (error instanceof ApiError) return errorResponse(c, error);
    services.logger.error({ err: error, request_id: c.get("requestId") }, "unhandled error");
    return errorResponse(c, new ApiError(500, "internal_error", { code: "internal_error" }));
  });

  return app;
}
