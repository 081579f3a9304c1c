// POST /predict: validate the flight, predict with the edge model (or return a recent prediction from
// the isolate's memory), and record the prediction in D1. The full model and edge failures go to the
// origin, and KV caches the origin's predictions: a KV read costs more than the edge model, but far
// less than a call to the origin. KV writes and log rows happen in waitUntil, after the response.

import { Hono } from "hono";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { PredictionSchema } from "../../core/contract";
import type { CanonicalFlight } from "../../core/flight";
import { validateFlightOrThrow } from "../../core/http/validate-flight";
import { toFeatures } from "../../core/features";
import { buildPrediction, predictionCacheKey, type Prediction, type ServedModel } from "../../core/prediction";
import { predictionLogFields } from "../../core/prediction-log-fields";
import type { AppEnv } from "../app-env";
import { rememberProbability, rememberedProbability } from "../cache/memory-cache";
import { readCachedPrediction, writeCachedPrediction } from "../cache/prediction-cache";
import { readConfig, type EdgeConfig } from "../config";
import { logPrediction } from "../db/prediction-log";
import { readJsonBody } from "../../core/http/body";
import { EDGE_MODEL_INFO, edgeTables, loadEdgeModel, scoreRows } from "../inference/edge-model";
import { errorText, logEvent } from "../log";
import { OriginUnavailableError, callOrigin, originUnavailable } from "../origin/client";
import { forwardedHeaders } from "../origin/forward";

/** One /predict request: its context, settings, canonical flight and start time. */
interface PredictCall {
  c: Context<AppEnv>;
  config: EdgeConfig;
  flight: CanonicalFlight;
  started: number;
}

/**
 * Full model of the origin's last response in this isolate. KV keys of full-model predictions
 * include its version.
 */
let lastFullModel: ServedModel | undefined;

export const predictRoutes = new Hono<AppEnv>().post("/predict", async function predict(c) {
  const started = performance.now();
  const config = readConfig(c.env);
  const requestId = c.get("requestId");
  const body = await readJsonBody(c, config.maxBodyBytes);
  // Both models know the same airports, so the edge tables validate a full-model request too. The
  // message then names the requested model.
  const flight = validateFlightOrThrow(body, edgeTables(), requestedModelLabel(body));
  const call: PredictCall = { c, config, flight, started };

  // The full model lives only on the origin.
  if (flight.model === "full") return predictRemotely(call, body);

  const key = predictionCacheKey(EDGE_MODEL_INFO, flight);
  const remembered = rememberedProbability(key);
  const probability = remembered ?? (await scoreOnEdge(c, flight));
  if (probability === undefined) return predictRemotely(call, { ...(body as object), model: "edge" });
  if (remembered === undefined) rememberProbability(key, probability);

  const cached = remembered !== undefined;
  const prediction = buildPrediction(flight, probability, { model: EDGE_MODEL_INFO, servedBy: "edge", cached, requestId });
  return respondFromEdge(call, prediction, cached ? "memory" : "miss");
});

/** Returns "edge v1", or for a full-model request "full v2" once the version is known ("full" before). */
function requestedModelLabel(body: unknown): string {
  const requested = (body as { model?: unknown } | null)?.model;
  if (requested !== "full") return `${EDGE_MODEL_INFO.name} v${EDGE_MODEL_INFO.version}`;
  return lastFullModel ? `${lastFullModel.name} v${lastFullModel.version}` : "full";
}

/**
 * Returns the origin's prediction for this flight from KV when KV contains it. Otherwise it forwards
 * the request to the origin and stores the origin's prediction in KV. The full model's version is
 * known only after the origin's first response in this isolate, so before that there is no key.
 */
async function predictRemotely(call: PredictCall, body: unknown): Promise<Response> {
  const { c, config, flight } = call;
  const requestId = c.get("requestId");
  const model = flight.model === "full" ? lastFullModel : EDGE_MODEL_INFO;

  if (model) {
    const cached = await readCachedPrediction(c.env.PREDICTION_CACHE, predictionCacheKey(model, flight), requestId);
    if (cached) {
      const prediction = buildPrediction(flight, cached.probability, { model, servedBy: "edge", cached: true, requestId });
      return respondFromEdge(call, prediction, "kv");
    }
  }

  const { response, prediction } = await forwardPrediction(call, body);
  if (prediction) {
    if (prediction.model.name === "full") lastFullModel = { ...prediction.model, threshold: prediction.threshold };
    const key = predictionCacheKey(prediction.model, flight);
    const value = { probability: prediction.delay_probability };
    c.executionCtx.waitUntil(writeCachedPrediction(c.env.PREDICTION_CACHE, key, value, config.cacheTtlSeconds, requestId));
  }
  return response;
}

function respondFromEdge(call: PredictCall, prediction: Prediction, cache: "memory" | "kv" | "miss"): Response {
  const { c } = call;
  c.set("servedBy", "edge");
  c.set("cache", cache);
  c.header("X-Cache", cache === "miss" ? "MISS" : "HIT");
  recordPrediction(call, prediction);
  return c.json(prediction);
}

/** Names the prediction's model for the access log and queues its D1 log row. */
function recordPrediction(call: PredictCall, prediction: Prediction): void {
  const { c, config, flight, started } = call;
  c.set("servedModel", `${prediction.model.name}@${prediction.model.version}`);

  const cf = c.req.raw.cf as { colo?: string; country?: string } | undefined;
  const row = {
    ...predictionLogFields(prediction, flight, performance.now() - started),
    createdAt: new Date().toISOString(),
    colo: cf?.colo ?? null,
    country: cf?.country ?? null,
  };
  c.executionCtx.waitUntil(logPrediction(c.env.DB, row, config.logBatch));
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
async function forwardPrediction(call: PredictCall, body: unknown): Promise<{ response: Response; prediction?: Prediction }> {
  const { c } = call;
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
    recordPrediction(call, prediction);
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
