// POST /predict: validate the flight, compute its features, run the edge model and return the prediction.

import { Hono } from "hono";
import { canonicalizeFlight, type CanonicalFlight } from "../../core/flight";
import { toFeatures } from "../../core/features";
import { readJsonBody } from "../http/body";
import { ApiError } from "../http/errors";
import { EDGE_MODEL_INFO, edgeTables, loadEdgeModel, scoreRows } from "../inference/edge-model";
import type { AppEnv } from "../app-env";

/** The edge accepts bodies up to this size; a flight is well under 1 KB. */
export const MAX_BODY_BYTES = 64 * 1024;

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

export const predictRoutes = new Hono<AppEnv>().post("/predict", async (c) => {
  const body = await readJsonBody(c, MAX_BODY_BYTES);
  const flight = validate(body);

  const model = await loadEdgeModel().catch((error: unknown) => {
    console.error(JSON.stringify({ event: "edge_model_load_failed", request_id: c.get("requestId"), error: String(error) }));
    throw new ApiError(503, "model_unavailable", { code: "model_unavailable" }, [], { "Retry-After": "5" });
  });
  const [probability] = await scoreRows(model, toFeatures(model.tables, flight), 1);

  c.set("servedBy", "edge");
  return c.json(predictionBody(flight, probability!, c.get("requestId")));
});

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

export function predictionBody(flight: CanonicalFlight, probability: number, requestId: string): Prediction {
  return {
    // Six decimals are more than the model's precision and keep responses readable.
    delay_probability: Number(probability.toFixed(6)),
    is_delayed: probability >= EDGE_MODEL_INFO.threshold,
    threshold: EDGE_MODEL_INFO.threshold,
    model: { name: EDGE_MODEL_INFO.name, version: EDGE_MODEL_INFO.version },
    served_by: "edge",
    cached: false,
    request_id: requestId,
    flight: {
      origin: flight.origin,
      destination: flight.destination,
      departure: flight.departure,
      distance_miles: flight.distanceMiles,
    },
    ...(flight.reference !== undefined ? { reference: flight.reference } : {}),
  };
}
