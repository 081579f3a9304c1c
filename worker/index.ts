// The edge Worker: a Hono app typed with the bindings generated from wrangler.toml.

import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./app-env";
import { accessLog } from "./http/access-log";
import { installErrorHandlers } from "../core/http/errors";
import { rateLimit } from "./http/rate-limit";
import { requestId } from "../core/http/request-id";
import { errorText, logEvent } from "./log";
import { registerApiDocs } from "./openapi";
import { healthRoutes } from "./routes/health";
import { batchRoutes } from "./routes/batch";
import { benchRoutes } from "./routes/bench";
import { predictRoutes } from "./routes/predict";
import { statsRoutes } from "./routes/stats";

/** Methods each path accepts, for 405 responses with an Allow header. */
const ROUTE_METHODS: Record<string, string> = {
  "/predict": "POST",
  "/predict/batch": "POST",
  "/health": "GET, HEAD",
  "/stats": "GET, HEAD",
  "/openapi.json": "GET, HEAD",
  "/docs": "GET, HEAD",
};

const app = new OpenAPIHono<AppEnv>();

app.use(requestId);
app.use(accessLog);
app.use(rateLimit(["/health"]));

app.route("/", healthRoutes);
app.route("/", predictRoutes);
app.route("/", batchRoutes);
app.route("/", benchRoutes);
app.route("/", statsRoutes);
registerApiDocs(app);

installErrorHandlers(app, ROUTE_METHODS, (error, requestId) =>
  logEvent("error", "unhandled_error", { request_id: requestId, error: errorText(error), stack: error.stack }),
);

export default app;
