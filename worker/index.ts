// The edge Worker: a Hono app typed with the bindings generated from wrangler.toml.

import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./app-env";
import { accessLog } from "./http/access-log";
import { ApiError, errorResponse } from "../core/http/errors";
import { rateLimit } from "./http/rate-limit";
import { requestId } from "../core/http/request-id";
import { errorText, logEvent } from "./log";
import { registerApiDocs } from "./openapi";
import { healthRoutes } from "./routes/health";
import { batchRoutes } from "./routes/batch";
import { predictRoutes } from "./routes/predict";
import { statsRoutes } from "./routes/stats";

/** Methods each path accepts, for 405 answers with an Allow header. */
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
app.route("/", statsRoutes);
registerApiDocs(app);

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
  logEvent("error", "unhandled_error", { request_id: c.get("requestId"), error: errorText(error), stack: error.stack });
  return errorResponse(c, new ApiError(500, "internal_error", { code: "internal_error" }));
});

export default app;
