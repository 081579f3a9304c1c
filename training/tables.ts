// Builds the lookup tables of one model version from training rows. Rates are smoothed toward a
// parent rate so that a small airport or route with a few flights does not look extreme.

import { HOURS, type AirportStats, type LookupTables, type RouteStats, routeKey } from "../core/tables";
import { MINUTES_PER_DAY, minuteOfDay } from "../core/time";
import type { FlightColumns } from "./columns";

export const DELAY_THRESHOLD_MINUTES = 15;

/** A route hour needs this many training flights to get its own rate in tables.json (keeps the file small). */
const MIN_ROUTE_HOUR_FLIGHTS = 30;

/** Coordinates and time zone of an airport, from airports.csv plus a time-zone lookup. */
export interface AirportLocation {
  latitude: number;
  longitude: number;
  timeZone: string;
}

export interface TableOptions {
  smoothing: number;
  /** Clock of the hour statistics: the honest scheduled time, or the leaky actual departure. */
  timeBasis: "scheduled" | "actual";
  /** Airports to keep even without flights in these rows (out-of-fold tables list every training airport). */
  includeAirports?: ReadonlySet<string>;
}

interface Counter {
  flights: number;
  delayed: number;
}

/** Builds tables from the rows listed in `rows`; airports without a location are left out. */
export function buildTables(
  columns: FlightColumns,
  rows: Uint32Array,
  locations: Map<string, AirportLocation>,
  options: TableOptions,
): LookupTables {
  const counts = countRows(columns, rows, options.timeBasis);
  const prior = counts.total.delayed / Math.max(1, counts.total.flights);
  const days = Math.max(1, counts.days.size);
  const m = options.smoothing;
  const smooth = (c: Counter | undefined, parent: number) =>
    ((c?.delayed ?? 0) + m * parent) / ((c?.flights ?? 0) + m);

  const airports: Record<string, AirportStats> = {};
  for (const [index, code] of columns.airportCodes.entries()) {
    const location = locations.get(code);
    const departures = counts.departures[index];
    const arrivals = counts.arrivals[index];
    const seen = Boolean(departures?.flights || arrivals?.flights) || options.includeAirports?.has(code);
    if (!location || !seen) continue;

    const delayRate = smooth(departures, prior);
    const hours = counts.departureHours[index];
    const arrivalHours = counts.arrivalHours[index];
    const arrivalDelayRate = smooth(arrivals, prior);
    airports[code] = {
      latitude: round(location.latitude),
      longitude: round(location.longitude),
      timeZone: location.timeZone,
      delayRate: round(delayRate),
      arrivalDelayRate: round(arrivalDelayRate),
      departuresPerDay: round((departures?.flights ?? 0) / days),
      arrivalsPerDay: round((arrivals?.flights ?? 0) / days),
      hourDelayRate: Array.from({ length: HOURS }, (_, h) => round(smooth(hours?.[h], delayRate))),
      hourDeparturesPerDay: Array.from({ length: HOURS }, (_, h) => round((hours?.[h]?.flights ?? 0) / days)),
      arrivalHourDelayRate: Array.from({ length: HOURS }, (_, h) => round(smooth(arrivalHours?.[h], arrivalDelayRate))),
    };
  }

  const routes: Record<string, RouteStats> = {};
  for (const [key, route] of counts.routes) {
    const [origin, destination] = key.split("-") as [string, string];
    if (!airports[origin] || !airports[destination]) continue;
    const routeRate = smooth(route, prior);
    const hourDelayRate: Record<string, number> = {};
    route.hours.forEach((hour, h) => {
      if (hour.flights >= MIN_ROUTE_HOUR_FLIGHTS) hourDelayRate[h] = round(smooth(hour, routeRate));
    });
    routes[key] = {
      delayRate: round(routeRate),
      hourDelayRate,
      flightsPerDay: round(route.flights / days),
      distanceMiles: median(route.distances),
    };
  }

  return { priorDelayRate: round(prior), smoothing: m, trainingDays: days, airports, routes };
}

interface RowCounts {
  total: Counter;
  days: Set<number>;
  departures: Counter[];
  arrivals: Counter[];
  departureHours: Counter[][];
  arrivalHours: Counter[][];
  routes: Map<string, Counter & { distances: number[]; hours: Counter[] }>;
}

function countRows(columns: FlightColumns, rows: Uint32Array, timeBasis: TableOptions["timeBasis"]): RowCounts {
  const clock = timeBasis === "scheduled" ? columns.scheduledMinute : columns.actualMinute;
  const airportCount = columns.airportCodes.length;
  const counts: RowCounts = {
    total: { flights: 0, delayed: 0 },
    days: new Set(),
    departures: Array.from({ length: airportCount }, () => ({ flights: 0, delayed: 0 })),
    arrivals: Array.from({ length: airportCount }, () => ({ flights: 0, delayed: 0 })),
    departureHours: Array.from({ length: airportCount }, hourCounters),
    arrivalHours: Array.from({ length: airportCount }, hourCounters),
    routes: new Map(),
  };

  for (const i of rows) {
    const origin = columns.origin[i]!;
    const destination = columns.destination[i]!;
    const minute = clock[i]!;
    const delayed = columns.arrivalDelayMinutes[i]! >= DELAY_THRESHOLD_MINUTES ? 1 : 0;
    const hour = Math.floor(minuteOfDay(minute) / 60);

    counts.total.flights++;
    counts.total.delayed += delayed;
    counts.days.add(Math.floor(minute / MINUTES_PER_DAY));
    add(counts.departures[origin]!, delayed);
    add(counts.arrivals[destination]!, delayed);
    add(counts.departureHours[origin]![hour]!, delayed);
    add(counts.arrivalHours[destination]![hour]!, delayed);

    const key = routeKey(columns.airportCodes[origin]!, columns.airportCodes[destination]!);
    let route = counts.routes.get(key);
    if (!route) {
      route = { flights: 0, delayed: 0, distances: [], hours: hourCounters() };
      counts.routes.set(key, route);
    }
    add(route, delayed);
    add(route.hours[hour]!, delayed);
    if (route.distances.length < 1000) route.distances.push(columns.distanceMiles[i]!);
  }
  return counts;
}

function hourCounters(): Counter[] {
  return Array.from({ length: HOURS }, () => ({ flights: 0, delayed: 0 }));
}

function add(counter: Counter, delayed: number): void {
  counter.flights++;
  counter.delayed += delayed;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Rounds to 6 significant digits to keep tables.json small; features are float32 anyway. */
function round(value: number): number {
  return Number(value.toPrecision(6));
}
