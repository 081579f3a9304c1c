// POST /predict on the origin: the edge's contract, with the full model by default.

import { Hono } from "hono";
import { toFeatures } from "../../core/features";
import type { CanonicalFlight } from "../../core/flight";
import { readJsonBody } from "../../core/http/body";
import { validateFlightOrThrow } from "../../core/http/validate-flight";
import { buildPrediction, predictionCacheKey, type Prediction } from "../../core/prediction";
import type { OriginEnv } from "../app-env";
import { MicroBatcher } from "../micro-batcher";
import type { ModelType } from "../models";
import type { OriginServices } from "../services";
import type { PredictionRow } from "../state/schema";
import { predictionLogFields } from "../../core/prediction-log-fields";

export function predictRoutes(services: OriginServices) {
  const { models, cache, metrics, config } = services;
  const batchers = { full: new MicroBatcher(models.full, metrics), edge: new MicroBatcher(models.edge, metrics) };

  return new Hono<OriginEnv>().post("/predict", async function predict(c) {
    const started = performance.now();
    const body = await readJsonBody(c, config.maxBodyBytes);
    const model = models[modelTypeOf(body)];
    const flight = validateFlightOrThrow(body, model.tables, `${model.name} v${model.version}`);

    const key = predictionCacheKey(model, flight);
    const cachedProbability = await cache.get(key);
    let probability = cachedProbability;
    if (probability === undefined) {
      probability = await batchers[model.type].score(toFeatures(model.tables, flight));
      void cache.set(key, probability, config.cacheTtlSeconds);
    }

    const prediction = buildPrediction(flight, probability, {
      model,
      servedBy: "origin",
      cached: cachedProbability !== undefined,
      requestId: c.get("requestId"),
    });
    metrics.predictions.inc({ model_type: model.type, result: prediction.is_delayed ? "delayed" : "on_time" });
    services.log.add([logRow(prediction, flight, performance.now() - started, null)]);

    c.set("cache", prediction.cached ? "hit" : "miss");
    c.set("modelVersion", `${model.name}@${model.version}`);
    c.header("X-Cache", prediction.cached ? "HIT" : "MISS");
    return c.json(prediction);
  });
}

/** Returns the model named in the body, or the full model. Validation reports an invalid name. */
export function modelTypeOf(body: unknown): ModelType {
  const named = typeof body === "object" && body !== null ? (body as { model?: unknown }).model : undefined;
  return named === "edge" ? "edge" : "full";
}

export function logRow(prediction: Prediction, flight: CanonicalFlight, latencyMs: number, batchRow: number | null): PredictionRow {
  return { ...predictionLogFields(prediction, flight, latencyMs), batchRow, createdAt: new Date() };
}
