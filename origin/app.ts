// The origin's Hono app: the edge's contract plus batch scoring, probes and metrics.

import { Hono } from "hono";
import { installErrorHandlers } from "../core/http/errors";
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

  installErrorHandlers(app, ROUTE_METHODS, (error, requestId) =>
    services.logger.error({ err: error, request_id: requestId }, "unhandled error"),
  );

  return app;
}
