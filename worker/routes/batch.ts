// POST /predict/batch at the edge: batches are heavy, so the Worker streams them to the origin and
// streams the origin's response back. A batch is never retried, because its body is a one-time stream.

import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../app-env";
import { OriginUnavailableError, callOrigin, originUnavailable } from "../origin/client";
import { forwardedHeaders } from "../origin/forward";

/** Origin response headers passed to the client. */
const RELAYED_HEADERS = ["content-type", "x-model-name", "x-model-version", "x-model-threshold"];

export const batchRoutes = new Hono<AppEnv>().post("/predict/batch", async function predictBatch(c) {
  const search = new URL(c.req.url).search;
  let response: Response;
  try {
    response = await callOrigin(c.env, {
      path: `/predict/batch${search}`,
      method: "POST",
      headers: forwardedHeaders(c),
      body: c.req.raw.body,
      retryable: false,
      requestId: c.get("requestId"),
    });
  } catch (error) {
    if (error instanceof OriginUnavailableError) throw originUnavailable(error);
    throw error;
  }

  c.set("servedBy", "origin");
  const modelName = response.headers.get("x-model-name");
  const modelVersion = response.headers.get("x-model-version");
  if (modelName && modelVersion) c.set("servedModel", `${modelName}@${modelVersion}`);
  // c.body keeps the headers that middleware already set (X-Request-Id, RateLimit-Policy).
  const headers: Record<string, string> = { "X-Served-By": "origin" };
  for (const name of RELAYED_HEADERS) {
    const value = response.headers.get(name);
    if (value) headers[name] = value;
  }
  return response.body
    ? c.body(response.body, response.status as ContentfulStatusCode, headers)
    : c.body(null, response.status as ContentfulStatusCode, headers);
});
