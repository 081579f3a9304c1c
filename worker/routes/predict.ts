// POST /predict: validate the flight, predict with the edge model (or return a recent prediction from
// the isolate's memory), and record the prediction in D1. The full model and edge failures go to the
// origin, whose predictions KV caches: a KV read costs more than the edge model, but far less than a call to the origin.
// KV writes and log rows happen in waitUntil, after the response is sent.

import { Hono } from "hono";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { PredictionSchema } from "../../core/contract";
import type { CanonicalFlight } from "../../core/flight";
import { validateFlightOrThrow } from "../../core/http/validate-flight";
import { toFeatures } from "../../core/features";
import { buildPrediction, predictionCacheKey, type Prediction, type ServedModel } from "../../core/prediction";
import type { AppEnv } from "../app-env";
import { rememberProbability, rememberedProbability } from "../cache/memory-cache";
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
  // Both models know the same airports, so the edge tables validate a full-model request too; the
  // message then names the model the client asked for.
  const flight = validateFlightOrThrow(body, edgeTables(), requestedModelLabel(body));

  // The full model lives only on the origin.
  if (flight.model === "full") return predictRemotely(c, body, flight, started);

  const key = predictionCacheKey(EDGE_MODEL_INFO, flight);
  const remembered = rememberedProbability(key);
  const probability = remembered ?? (await scoreOnEdge(c, flight));
  if (probability === undefined) return predictRemotely(c, { ...(body as object), model: "edge" }, flight, started);
  if (remembered === undefined) rememberProbability(key, probability);

  const cached = remembered !== undefined;
  const prediction = buildPrediction(flight, probability, { model: EDGE_MODEL_INFO, servedBy: "edge", cached, requestId });
  return respondFromEdge(c, prediction, flight, started, cached ? "memory" : "miss");
});

/** "edge v1", or "full v2" once this isolate has seen the origin's full model version ("full" before). */
function requestedModelLabel(body: unknown): string {
  const asked = (body as { model?: unknown } | null)?.model;
  if (asked !== "full") return `${EDGE_MODEL_INFO.name} v${EDGE_MODEL_INFO.version}`;
  return lastFullModel ? `${lastFullModel.name} v${lastFullModel.version}` : "full";
}

/** The full model version of the origin's last response; KV keys of full-model predictions include it. */
let lastFullModel: ServedModel | undefined;

/**
 * Returns the prediction from KV when KV contains the origin's prediction for this flight and model
 * version. Otherwise it forwards the request to the origin and stores the origin's prediction in KV.
 * The full model's version is known only after the origin's first response in this isolate, so
 * before that there is no key to look up.
 */
async function predictRemotely(c: Context<AppEnv>, body: unknown, flight: CanonicalFlight, started: number): Promise<Response> {
  const requestId = c.get("requestId");
  const model = flight.model === "full" ? lastFullModel : EDGE_MODEL_INFO;
  const key = model && predictionCacheKey(model, flight);

  const cached = key ? await readCachedPrediction(c.env.PREDICTION_CACHE, key, requestId) : undefined;
  if (cached && model) {
    const prediction = buildPrediction(flight, cached.probability, { model, servedBy: "edge", cached: true, requestId });
    return respondFromEdge(c, prediction, flight, started, "kv");
  }

  const { response, prediction } = await forwardPrediction(c, body, flight, started);
  if (prediction) {
    const served = { ...prediction.model, threshold: prediction.threshold };
    if (served.name === "full") lastFullModel = served;
    const ttl = readConfig(c.env).cacheTtlSeconds;
    const storeKey = predictionCacheKey(prediction.model, flight);
    c.executionCtx.waitUntil(
      writeCachedPrediction(c.env.PREDICTION_CACHE, storeKey, { probability: prediction.delay_probability }, ttl, requestId),
    );
  }
  return response;
}

function respondFromEdge(
  c: Context<AppEnv>,
  prediction: Prediction,
  flight: CanonicalFlight,
  started: number,
  cache: "memory" | "kv" | "miss",
): Response {
  c.set("servedBy", "edge");
  c.set("servedModel", `${prediction.model.name}@${prediction.model.version}`);
  c.set("cache", cache);
  c.header("X-Cache", cache === "miss" ? "MISS" : "HIT");

  const latencyMs = performance.now() - started;
  c.executionCtx.waitUntil(logPrediction(c.env.DB, logRow(c, prediction, flight, latencyMs), readConfig(c.env).logBatch));
  return c.json(prediction);
}

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

/**
 * Sends the prediction request to the origin and relays its response; logs it like an edge prediction.
 * Also returns the origin's prediction when its status was 200.
 */
async function forwardPrediction(
  c: Context<AppEnv>,
  body: unknown,
  flight: CanonicalFlight,
  started: number,
): Promise<{ response: Response; prediction?: Prediction }> {
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
  let prediction: Prediction | undefined;
  if (response.status === 200) {
    prediction = parsePrediction(text);
    if (!prediction) {
      logEvent("error", "origin_invalid_response", { request_id: requestId, bytes: text.length });
      throw originUnavailable(new OriginUnavailableError(5, "origin returned a body that is not a prediction"));
    }
    c.set("servedModel", `${prediction.model.name}@${prediction.model.version}`);
    const latencyMs = performance.now() - started;
    c.executionCtx.waitUntil(logPrediction(c.env.DB, logRow(c, prediction, flight, latencyMs), readConfig(c.env).logBatch));
  }
  // c.body keeps the headers that middleware already set (X-Request-Id, RateLimit-Policy).
  const headers: Record<string, string> = { "Content-Type": "application/json", "X-Served-By": "origin" };
  const originCache = response.headers.get("x-cache");
  if (originCache) headers["X-Cache"] = originCache;
  return { response: c.body(text, response.status as ContentfulStatusCode, headers), prediction };
}

/** Parses the origin's prediction, or returns undefined for a body that does not have its shape. */
function parsePrediction(text: string): Prediction | undefined {
  try {
    const parsed = PredictionSchema.safeParse(JSON.parse(text));
    return parsed.success ? (parsed.data as Prediction) : undefined;
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
