// The prediction a server returns, built the same way by the edge Worker and the origin.

import type { CanonicalFlight } from "./flight";

/** Name, version and decision threshold of a served model. */
export interface ServedModel {
  name: string;
  version: string;
  threshold: number;
}

export interface Prediction {
  delay_probability: number;
  is_delayed: boolean;
  threshold: number;
  model: { name: string; version: string };
  served_by: "edge" | "origin";
  cached: boolean;
  request_id: string;
  flight: { origin: string; destination: string; departure: string; distance_miles: number };
  reference?: string;
}

export interface PredictionContext {
  model: ServedModel;
  servedBy: Prediction["served_by"];
  cached: boolean;
  requestId: string;
}

export function buildPrediction(flight: CanonicalFlight, probability: number, context: PredictionContext): Prediction {
  return {
    // Six decimals are more than the model's precision and keep responses readable.
    delay_probability: Number(probability.toFixed(6)),
    is_delayed: probability >= context.model.threshold,
    threshold: context.model.threshold,
    model: { name: context.model.name, version: context.model.version },
    served_by: context.servedBy,
    cached: context.cached,
    request_id: context.requestId,
    flight: {
      origin: flight.origin,
      destination: flight.destination,
      departure: flight.departure,
      distance_miles: flight.distanceMiles,
    },
    ...(flight.reference !== undefined ? { reference: flight.reference } : {}),
  };
}

/**
 * Returns the prediction cache key: model name and version plus the canonical flight, so a new
 * model version never serves an old prediction. The edge (KV) and the origin (Redis) use the same key.
 */
export function predictionCacheKey(model: { name: string; version: string }, flight: CanonicalFlight): string {
  return ["prediction", model.name, model.version, flight.origin, flight.destination, flight.departure, flight.distanceMiles].join(":");
}
