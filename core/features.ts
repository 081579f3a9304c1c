// The one feature definition shared by training and serving: a canonical flight plus the model's
// lookup tables become one row of float32 features. Training writes the same rows with this code.
// Every value is an integer or a table value rounded to 6 significant digits, so its decimal text in
// the training CSV parses back to exactly the same float32 that serving computes.

import { dayOfWeek, minuteOfDay } from "./time";
import { type CompiledTables, routeKey } from "./tables";

/** Inputs of the features: airports, scheduled local departure and distance. */
export interface FeatureInput {
  origin: string;
  destination: string;
  /** Scheduled departure, minutes since 1970-01-01T00:00 on the origin's wall clock. */
  localMinute: number;
  distanceMiles: number;
}

/** Feature names in column order, with their meaning for the model card. */
export const FEATURES = [
  ["departure_minute", "scheduled local departure time in minutes after midnight (0–1439)"],
  ["day_of_week", "scheduled local day of the week, 0 = Monday … 6 = Sunday"],
  ["distance_miles", "distance flown in miles"],
  ["origin_delay_rate", "smoothed delay rate of departures from the origin airport"],
  ["destination_delay_rate", "smoothed delay rate of arrivals at the destination airport"],
  ["route_delay_rate", "smoothed delay rate of the origin → destination route"],
  ["origin_hour_delay_rate", "smoothed delay rate of origin departures in the same scheduled hour"],
  ["route_hour_delay_rate", "smoothed delay rate of the route in the same scheduled hour (route rate when that hour had few flights)"],
  ["destination_hour_delay_rate", "smoothed delay rate of destination arrivals by scheduled departure hour"],
  ["origin_departures_per_day", "mean scheduled departures per day at the origin"],
  ["destination_arrivals_per_day", "mean scheduled arrivals per day at the destination"],
  ["route_flights_per_day", "mean flights per day on the route (0 when the route was not seen)"],
  ["origin_hour_departures_per_day", "mean departures per day at the origin in the same scheduled hour"],
  ["origin_latitude", "origin airport latitude in degrees"],
  ["origin_longitude", "origin airport longitude in degrees"],
  ["destination_latitude", "destination airport latitude in degrees"],
  ["destination_longitude", "destination airport longitude in degrees"],
] as const;

export const FEATURE_NAMES: readonly string[] = FEATURES.map(([name]) => name);
export const FEATURE_COUNT = FEATURES.length;

/** Thrown when an airport is absent from the model's tables; serving turns it into a 422. */
export class UnknownAirportError extends Error {
  constructor(readonly code: string) {
    super(`airport ${code} is not in the model's lookup tables`);
    this.name = "UnknownAirportError";
  }
}

/**
 * Writes the features of one flight into `out` at `offset` (FEATURE_COUNT values).
 *
 * @example
 * const row = new Float32Array(FEATURE_COUNT);
 * writeFeatures(tables, { origin: "ORD", destination: "LGA", localMinute, distanceMiles: 733 }, row);
 */
export function writeFeatures(tables: CompiledTables, input: FeatureInput, out: Float32Array, offset = 0): void {
  const origin = tables.airports.get(input.origin);
  if (!origin) throw new UnknownAirportError(input.origin);
  const destination = tables.airports.get(input.destination);
  if (!destination) throw new UnknownAirportError(input.destination);

  const minute = minuteOfDay(input.localMinute);
  const hour = Math.floor(minute / 60);
  const route = tables.routes.get(routeKey(input.origin, input.destination));

  // A route never seen in training falls back to the prior, which is what smoothing gives for zero flights.
  out[offset] = minute;
  out[offset + 1] = dayOfWeek(input.localMinute);
  out[offset + 2] = Math.round(input.distanceMiles);
  out[offset + 3] = origin.delayRate;
  out[offset + 4] = destination.arrivalDelayRate;
  out[offset + 5] = route ? route.delayRate : tables.source.priorDelayRate;
  out[offset + 6] = origin.hourDelayRate[hour] ?? origin.delayRate;
  out[offset + 7] = route ? (route.hourDelayRate[hour] ?? route.delayRate) : tables.source.priorDelayRate;
  out[offset + 8] = destination.arrivalHourDelayRate[hour] ?? destination.arrivalDelayRate;
  out[offset + 9] = origin.departuresPerDay;
  out[offset + 10] = destination.arrivalsPerDay;
  out[offset + 11] = route ? route.flightsPerDay : 0;
  out[offset + 12] = origin.hourDeparturesPerDay[hour] ?? 0;
  out[offset + 13] = origin.latitude;
  out[offset + 14] = origin.longitude;
  out[offset + 15] = destination.latitude;
  out[offset + 16] = destination.longitude;
}

/** Returns the features of one flight as a new row. */
export function toFeatures(tables: CompiledTables, input: FeatureInput): Float32Array {
  const row = new Float32Array(FEATURE_COUNT);
  writeFeatures(tables, input, row);
  return row;
}
