// The origin's Hono app: the edge's contract plus batch scoring, probes and metrics.

import { Hono } from "hono";
import { installErrorHandlers } from "../core/http/errors";
import { requestId } from "../core/http/request-id";
import type { OriginEnv } from "./app-env";
import { requireSharedSecret } from "./http/auth";
import { observe } from "./http/observe";
import { batchRoutes } from "./routes/batch";
import { predictRoutes } from "./routes/predict";
import { metricsRoutes, probeRoutes } from "./routes/probes";
import type { OriginServices } from "./services";

const ROUTE_METHODS: Record<string, string> = {
  "/predict": "POST",
  "/predict/batch": "POST",
  "/health": "GET, HEAD",
  "/ready": "GET, HEAD",
};

/**
 * The public app. /metrics is part of it only when METRICS_PORT is unset; deployments set that port
 * so the metrics stay off the load balancer and the ingress.
 */
export function createApp(services: OriginServices): Hono<OriginEnv> {
  const app = new Hono<OriginEnv>();
  const metricsHere = services.config.metricsPort === undefined;

  app.use(requestId);
  app.use(observe(services.metrics, services.logger));
  app.use(requireSharedSecret(services.config.sharedSecret));

  app.route("/", probeRoutes(services));
  app.route("/", predictRoutes(services));
  app.route("/", batchRoutes(services));
  if (metricsHere) app.route("/", metricsRoutes(services.metrics));

  const methods = metricsHere ? { ...ROUTE_METHODS, "/metrics": "GET, HEAD" } : ROUTE_METHODS;
  installErrorHandlers(app, methods, (error, requestId) =>
    services.logger.error({ err: error, request_id: requestId }, "unhandled error"),
  );

  return app;
}

/** Creates the app behind METRICS_PORT: /metrics and nothing else, without request metrics of its own. */
export function createMetricsApp(services: OriginServices): Hono<OriginEnv> {
  const app = new Hono<OriginEnv>();
  app.use(requestId);
  app.route("/", metricsRoutes(services.metrics));
  installErrorHandlers(app, { "/metrics": "GET, HEAD" }, (error, requestId) =>
    services.logger.error({ err: error, request_id: requestId }, "unhandled error on the metrics port"),
  );
  return app;
}
