// POST /predict: validate the flight, return a prediction from the KV cache or the edge model, and record the
// prediction in D1. Cache writes and log rows happen in waitUntil, after the response is sent.

import { Hono } from "hono";
import type { Context } from "hono";
import type { CanonicalFlight } from "../../core/flight";
import { validateFlightOrThrow } from "../../core/http/validate-flight";
import { toFeatures } from "../../core/features";
import { buildPrediction, predictionCacheKey, type Prediction } from "../../core/prediction";
import type { AppEnv } from "../app-env";
import { readCachedPrediction, writeCachedPrediction } from "../cache/prediction-cache";
import { readConfig } from "../config";
import { logPrediction } from "../db/prediction-log";
import { readJsonBody } from "../../core/http/body";
import { EDGE_MODEL_INFO, edgeTables, loadEdgeModel, scoreRows } from "../inference/edge-model";
import { errorText, logEvent } from "../log";
import { OriginUnavailableError, callOrigin, originUnavailable } from "../origin/client";
import { forwardedHeaders } from "../origin/forward";

export const predictRoutes = new Hono<AppEnv>().post("/predict", async function predict(c) {
  const started = performance.now();
  const config = readConfig(c.env);
  const requestId = c.get("requestId");
  const body = await readJsonBody(c, config.maxBodyBytes);
  const flight = validateFlightOrThrow(body, edgeTables(), `${EDGE_MODEL_INFO.name} v${EDGE_MODEL_INFO.version}`);

  // The full model lives only on the origin.
  if (flight.model === "full") return forwardPrediction(c, body, flight, started);

  const key = predictionCacheKey(EDGE_MODEL_INFO, flight);
  const cached = await readCachedPrediction(c.env.PREDICTION_CACHE, key, requestId);
  const probability = cached?.probability ?? (await scoreOnEdge(c, flight));
  if (probability === undefined) return forwardPrediction(c, { ...(body as object), model: "edge" }, flight, started);
  if (!cached) {
    c.executionCtx.waitUntil(
      writeCachedPrediction(c.env.PREDICTION_CACHE, key, { probability }, config.cacheTtlSeconds, requestId),
    );
  }

  const prediction = buildPrediction(flight, probability, {
    model: EDGE_MODEL_INFO,
    servedBy: "edge",
    cached: cached !== undefined,
    requestId,
  });
  c.set("servedBy", "edge");
  c.set("cache", cached ? "hit" : "miss");
  c.header("X-Cache", cached ? "HIT" : "MISS");

  const latencyMs = performance.now() - started;
  c.executionCtx.waitUntil(logPrediction(c.env.DB, logRow(c, prediction, flight, latencyMs)));
  return c.json(prediction);
});

/**
 * Scores the flight with the edge model; returns undefined when edge inference is switched off
 * (EDGE_INFERENCE = "disabled") or fails, so the caller can fall back to the origin.
 */
async function scoreOnEdge(c: Context<AppEnv>, flight: CanonicalFlight): Promise<number | undefined> {
  if ((c.env as { EDGE_INFERENCE?: string }).EDGE_INFERENCE === "disabled") return undefined;
  try {
    const model = await loadEdgeModel();
    const [probability] = await scoreRows(model, toFeatures(model.tables, flight), 1);
    return probability;
  } catch (error) {
    logEvent("error", "edge_inference_failed", { request_id: c.get("requestId"), error: errorText(error) });
    return undefined;
  }
}

/** Sends the prediction request to the origin and relays its response; logs it like an edge prediction. */
async function forwardPrediction(c: Context<AppEnv>, body: unknown, flight: CanonicalFlight, started: number): Promise<Response> {
  const requestId = c.get("requestId");
  let response: Response;
  try {
    response = await callOrigin(c.env, {
      path: "/predict",
      method: "POST",
      headers: forwardedHeaders(c),
      body: JSON.stringify(body),
      retryable: true,
      requestId,
    });
  } catch (error) {
    if (error instanceof OriginUnavailableError) throw originUnavailable(error);
    throw error;
  }

  const text = await response.text();
  c.set("servedBy", "origin");
  if (response.status === 200) {
    const prediction = parsePrediction(text);
    if (!prediction) {
      logEvent("error", "origin_invalid_response", { request_id: requestId, bytes: text.length });
      throw originUnavailable(new OriginUnavailableError(5, "origin returned a body that is not a prediction"));
    }
    c.executionCtx.waitUntil(logPrediction(c.env.DB, logRow(c, prediction, flight, performance.now() - started)));
  }
  const headers = new Headers({ "Content-Type": "application/json", "X-Request-Id": requestId, "X-Served-By": "origin" });
  const originCache = response.headers.get("x-cache");
  if (originCache) headers.set("X-Cache", originCache);
  return new Response(text, { status: response.status, headers });
}

/** Parses the origin's prediction, or returns undefined for a body that does not have its shape. */
function parsePrediction(text: string): Prediction | undefined {
  try {
    const value = JSON.parse(text) as Partial<Prediction>;
    return typeof value.delay_probability === "number" && typeof value.request_id === "string" ? (value as Prediction) : undefined;
  } catch {
    return undefined;
  }
}

function logRow(c: Context<AppEnv>, body: Prediction, flight: CanonicalFlight, latencyMs: number) {
  const cf = c.req.raw.cf as { colo?: string; country?: string } | undefined;
  return {
    requestId: body.request_id,
    createdAt: new Date().toISOString(),
    modelName: body.model.name,
    modelVersion: body.model.version,
    origin: flight.origin,
    destination: flight.destination,
    departure: flight.departure,
    distanceMiles: flight.distanceMiles,
    reference: flight.reference ?? null,
    probability: body.delay_probability,
    isDelayed: body.is_delayed,
    servedBy: body.served_by,
    cacheHit: body.cached,
    latencyMs: Number(latencyMs.toFixed(3)),
    colo: cf?.colo ?? null,
    country: cf?.country ?? null,
  };
}
