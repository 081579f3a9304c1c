// The prediction log columns that the Worker's D1 table and the origin's PostgreSQL table share.

import type { CanonicalFlight } from "./flight";
import type { Prediction } from "./prediction";

/** Returns the shared log columns of one returned prediction, with the latency rounded to microseconds. */
export function predictionLogFields(prediction: Prediction, flight: CanonicalFlight, latencyMs: number) {
  return {
    requestId: prediction.request_id,
    modelName: prediction.model.name,
    modelVersion: prediction.model.version,
    origin: flight.origin,
    destination: flight.destination,
    departure: flight.departure,
    distanceMiles: flight.distanceMiles,
    reference: flight.reference ?? null,
    probability: prediction.delay_probability,
    isDelayed: prediction.is_delayed,
    servedBy: prediction.served_by,
    cacheHit: prediction.cached,
    latencyMs: Number(latencyMs.toFixed(3)),
  };
}
