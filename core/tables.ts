// Lookup tables computed on training rows only and shipped with each model version. The feature
// module reads them; nothing here depends on the runtime, so the Worker, the origin and training
// share one definition.

export const HOURS = 24;

/** Statistics of one airport over the training rows. */
export interface AirportStats {
  latitude: number;
  longitude: number;
  /** IANA time zone, used to convert departures given with a UTC offset into local time. */
  timeZone: string;
  /** Smoothed share of departures from this airport that arrived 15+ minutes late. */
  delayRate: number;
  /** Smoothed share of arrivals at this airport that arrived 15+ minutes late. */
  arrivalDelayRate: number;
  /** Mean scheduled departures per day. */
  departuresPerDay: number;
  /** Mean scheduled arrivals per day. */
  arrivalsPerDay: number;
  /** Smoothed delay rate of departures by scheduled local departure hour (24 values). */
  hourDelayRate: number[];
  /** Mean departures per day by scheduled local departure hour (24 values). */
  hourDeparturesPerDay: number[];
  /** Smoothed delay rate of arrivals here by the flight's scheduled departure hour at its origin (24 values). */
  arrivalHourDelayRate: number[];
}

/** Statistics of one origin → destination route over the training rows. */
export interface RouteStats {
  delayRate: number;
  flightsPerDay: number;
  /** Median distance flown on this route, in miles. */
  distanceMiles: number;
  /**
   * Smoothed delay rate by scheduled departure hour ("0" … "23"), only for hours with enough
   * training flights; other hours use the route's own rate.
   */
  hourDelayRate: Record<string, number>;
}

/** The lookup tables of one model version, as stored in `tables.json`. */
export interface LookupTables {
  /** Delay rate over all training rows; the value every smoothed rate shrinks toward. */
  priorDelayRate: number;
  /** Pseudo-count m of the smoothing (rate = (delayed + m × parent) / (flights + m)). */
  smoothing: number;
  trainingDays: number;
  airports: Record<string, AirportStats>;
  /** Keyed by `ORIGIN-DESTINATION`. */
  routes: Record<string, RouteStats>;
}

/** Lookup tables with Map indexes, built once per process or isolate. */
export interface CompiledTables {
  source: LookupTables;
  airports: Map<string, AirportStats>;
  routes: Map<string, RouteStats>;
}

export function compileTables(tables: LookupTables): CompiledTables {
  return {
    source: tables,
    airports: new Map(Object.entries(tables.airports)),
    routes: new Map(Object.entries(tables.routes)),
  };
}

export function routeKey(origin: string, destination: string): string {
  return `${origin}-${destination}`;
}
