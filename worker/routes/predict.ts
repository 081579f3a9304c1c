// POST /predict: validate the flight, answer from the KV cache or the edge model, and record the
// prediction in D1. Cache writes and log rows happen in waitUntil, after the response is sent.

import { Hono } from "hono";
import type { Context } from "hono";
import { canonicalizeFlight, type CanonicalFlight } from "../../core/flight";
import { toFeatures } from "../../core/features";
import { buildPrediction, predictionCacheKey, type Prediction } from "../../core/prediction";
import type { AppEnv } from "../app-env";
import { readCachedPrediction, writeCachedPrediction } from "../cache/prediction-cache";
import { readConfig } from "../config";
import { logPrediction } from "../db/prediction-log";
import { readJsonBody } from "../../core/http/body";
import { ApiError } from "../../core/http/errors";
import { EDGE_MODEL_INFO, edgeTables, loadEdgeModel, scoreRows } from "../inference/edge-model";
import { errorText, logEvent } from "../log";

export const predictRoutes = new Hono<AppEnv>().post("/predict", async function predict(c) {
  const started = performance.now();
  const config = readConfig(c.env);
  const requestId = c.get("requestId");
  const flight = validate(await readJsonBody(c, config.maxBodyBytes));

  const key = predictionCacheKey(EDGE_MODEL_INFO, flight);
  const cached = await readCachedPrediction(c.env.PREDICTION_CACHE, key, requestId);
  const probability = cached?.probability ?? (await scoreFlight(c, flight));
  if (!cached) {
    c.executionCtx.waitUntil(
      writeCachedPrediction(c.env.PREDICTION_CACHE, key, { probability }, config.cacheTtlSeconds, requestId),
    );
  }

  const body = buildPrediction(flight, probability, {
    model: EDGE_MODEL_INFO,
    servedBy: "edge",
    cached: cached !== undefined,
    requestId,
  });
  c.set("servedBy", "edge");
  c.set("cache", cached ? "hit" : "miss");
  c.header("X-Cache", cached ? "HIT" : "MISS");

  const latencyMs = performance.now() - started;
  c.executionCtx.waitUntil(logPrediction(c.env.DB, logRow(c, body, flight, latencyMs)));
  return c.json(body);
});

async function scoreFlight(c: Context<AppEnv>, flight: CanonicalFlight): Promise<number> {
  let model;
  try {
    model = await loadEdgeModel();
  } catch (error) {
    logEvent("error", "edge_model_load_failed", { request_id: c.get("requestId"), error: errorText(error) });
    throw new ApiError(503, "model_unavailable", { code: "model_unavailable" }, [], { "Retry-After": "5" });
  }
  const [probability] = await scoreRows(model, toFeatures(model.tables, flight), 1);
  return probability!;
}

function validate(body: unknown): CanonicalFlight {
  const label = `${EDGE_MODEL_INFO.name} v${EDGE_MODEL_INFO.version}`;
  const result = canonicalizeFlight(body, edgeTables(), label);
  if (result.ok) return result.flight;
  if (result.status === 422) {
    throw new ApiError(422, "unknown_airport", { code: "unknown_airports" }, result.problems);
  }
  const summary = result.problems.length === 1 ? result.problems[0]!.message : { code: "invalid_request" as const };
  throw new ApiError(400, "invalid_request", summary, result.problems);
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
