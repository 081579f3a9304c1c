// The flight a client sends, its validation and its canonical form. The zod schema is the contract:
// both servers validate with it and the OpenAPI document is generated from it.

import { z } from "zod";
import { greatCircleMiles } from "./geo";
import type { LocalizableMessage } from "./messages";
import type { CompiledTables } from "./tables";
import { formatLocal, toLocalMinute, type LocalDateTime } from "./time";

export const MAX_DISTANCE_MILES = 12_000;
export const MAX_REFERENCE_LENGTH = 64;

const AIRPORT = /^[A-Za-z]{3}$/;
const DEPARTURE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;

export const FlightRequestSchema = z.strictObject({
  origin: z.string().regex(AIRPORT).meta({ description: "IATA code of the origin airport (case-insensitive).", example: "ORD" }),
  destination: z
    .string()
    .regex(AIRPORT)
    .meta({ description: "IATA code of the destination airport; must differ from origin.", example: "LGA" }),
  // The calendar check runs with the other field checks, so a bad date is listed with every other bad
  // field. A text that fails the pattern gets the pattern's message only.
  departure: z.string().regex(DEPARTURE).refine(isCalendarDateOrUnparsed).meta({
    description:
      "Scheduled departure, ISO 8601 local time at the origin airport. With an offset or Z it is converted to the airport's local time.",
    example: "2026-12-24T18:30",
  }),
  distance_miles: z.number().positive().max(MAX_DISTANCE_MILES).optional().meta({
    description: "Flown distance in miles; the great-circle distance is used when absent.",
    example: 733,
  }),
  reference: z.string().max(MAX_REFERENCE_LENGTH).optional().meta({
    description: "The client's own id, such as a flight number; echoed and logged, not used by the model.",
    example: "AA 1234",
  }),
  model: z.enum(["edge", "full"]).optional().meta({
    description:
      'Model to use: "edge" (default at the edge, served in the Worker) or "full" (default at the origin; larger, served only by the origin).',
    example: "edge",
  }),
});

export type FlightRequest = z.infer<typeof FlightRequestSchema>;

/** A validated flight, normalised so that equal questions have equal keys. */
export interface CanonicalFlight {
  origin: string;
  destination: string;
  /** `YYYY-MM-DDTHH:MM`, local time at the origin. */
  departure: string;
  localMinute: number;
  /** Integer miles. */
  distanceMiles: number;
  reference?: string;
  /** The model the client named, if any; the server picks its default otherwise. */
  model?: "edge" | "full";
}

/** One invalid field and what to do about it. */
export interface FieldProblem {
  field: string;
  message: LocalizableMessage;
}

export type CanonicalResult =
  | { ok: true; flight: CanonicalFlight }
  | { ok: false; status: 400 | 422; problems: FieldProblem[] };

/**
 * Validates a parsed JSON body and returns the canonical flight, or every problem found:
 * 400 for malformed fields, 422 for well-formed airport codes the model does not know.
 */
export function canonicalizeFlight(body: unknown, tables: CompiledTables, modelLabel: string): CanonicalResult {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, status: 400, problems: [{ field: "body", message: { code: "not_an_object" } }] };
  }

  const parsed = FlightRequestSchema.safeParse(body);
  const problems = parsed.success ? [] : parsed.error.issues.flatMap((issue) => describeIssue(issue, body));
  if (!parsed.success) return { ok: false, status: 400, problems };

  const request = parsed.data;
  const origin = request.origin.toUpperCase();
  const destination = request.destination.toUpperCase();
  if (origin === destination) {
    const problem: FieldProblem = { field: "destination", message: { code: "same_airport", params: { code: origin } } };
    return { ok: false, status: 400, problems: [problem] };
  }

  const unknown = [
    ["origin", origin],
    ["destination", destination],
  ].filter(([, code]) => !tables.airports.has(code!));
  if (unknown.length > 0) {
    return {
      ok: false,
      status: 422,
      problems: unknown.map(([field, code]) => ({
        field: field!,
        message: { code: "unknown_airport", params: { code: code!, model: modelLabel } },
      })),
    };
  }

  const originStats = tables.airports.get(origin)!;
  const local = parseDeparture(request.departure, originStats.timeZone);
  if (!local) {
    return {
      ok: false,
      status: 400,
      problems: [{ field: "departure", message: { code: "departure_invalid_date", params: { value: request.departure } } }],
    };
  }

  const distance = resolveDistance(request.distance_miles, origin, destination, tables);
  if (!distance.ok) return { ok: false, status: 400, problems: [distance.problem] };

  return {
    ok: true,
    flight: {
      origin,
      destination,
      departure: formatLocal(local),
      localMinute: toLocalMinute(local),
      distanceMiles: distance.miles,
      ...(request.reference !== undefined ? { reference: request.reference } : {}),
      ...(request.model !== undefined ? { model: request.model } : {}),
    },
  };
}

function describeIssue(issue: z.core.$ZodIssue, body: object): FieldProblem[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => ({ field: key, message: { code: "unknown_field", params: { field: key } } }));
  }

  const field = String(issue.path[0] ?? "body");
  const value = String((body as Record<string, unknown>)[field]);
  if (issue.code === "invalid_type") {
    if (!(field in body) || (body as Record<string, unknown>)[field] === undefined) {
      return [{ field, message: { code: "required", params: { field } } }];
    }
    return [{ field, message: { code: issue.expected === "number" ? "not_a_number" : "not_a_string", params: { field } } }];
  }
  if (field === "origin" || field === "destination") {
    return [{ field, message: { code: "airport_format", params: { field, value } } }];
  }
  if (field === "departure") {
    const code = issue.code === "custom" ? "departure_invalid_date" : "departure_format";
    return [{ field, message: { code, params: { value } } }];
  }
  if (field === "model") return [{ field, message: { code: "unknown_model", params: { value } } }];
  if (field === "distance_miles") {
    return [{ field, message: { code: "distance_range", params: { max: MAX_DISTANCE_MILES, value } } }];
  }
  return [{ field, message: { code: "reference_length", params: { max: MAX_REFERENCE_LENGTH, length: value.length } } }];
}

/**
 * Parses an ISO 8601 departure into the origin airport's local wall-clock time. A time with an
 * offset names an instant, which is converted with the airport's IANA time zone; a time without an
 * offset is already local. Returns undefined for impossible dates such as February 30.
 */
export function parseDeparture(text: string, timeZone: string): LocalDateTime | undefined {
  const match = DEPARTURE.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, offset] = match;
  const t = { year: Number(y), month: Number(mo), day: Number(d), hour: Number(h), minute: Number(mi) };
  if (!isRealDateTime(t, Number(s ?? 0))) return undefined;
  if (!offset) return t;

  const offsetMinutes = parseOffset(offset);
  if (offsetMinutes === undefined) return undefined;
  const instant = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute) - offsetMinutes * 60_000;
  return wallClockAt(instant, timeZone);
}

/** False only for text in the departure pattern that names no real date and time, such as 2026-02-30. */
function isCalendarDateOrUnparsed(text: string): boolean {
  const match = DEPARTURE.exec(text);
  if (!match) return true;
  const [, y, mo, d, h, mi, s] = match;
  return isRealDateTime({ year: Number(y), month: Number(mo), day: Number(d), hour: Number(h), minute: Number(mi) }, Number(s ?? 0));
}

function isRealDateTime(t: LocalDateTime, seconds: number): boolean {
  const date = new Date(Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute));
  return (
    date.getUTCFullYear() === t.year &&
    date.getUTCMonth() === t.month - 1 &&
    date.getUTCDate() === t.day &&
    t.hour < 24 &&
    t.minute < 60 &&
    seconds < 60
  );
}

function parseOffset(offset: string): number | undefined {
  if (offset === "Z") return 0;
  const digits = offset.slice(1).replace(":", "");
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2));
  if (hours > 18 || minutes > 59) return undefined;
  return (offset.startsWith("-") ? -1 : 1) * (hours * 60 + minutes);
}

const wallClockFormats = new Map<string, Intl.DateTimeFormat>();

function wallClockAt(instant: number, timeZone: string): LocalDateTime {
  let format = wallClockFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
    });
    wallClockFormats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
  };
}

/** Flown distances run longer than the great circle (airways, holding); beyond these bounds a value is a mistake. */
const DISTANCE_TOLERANCE = { belowRatio: 0.9, aboveRatio: 1.5, slackMiles: 50 };

function resolveDistance(
  requestedMiles: number | undefined,
  origin: string,
  destination: string,
  tables: CompiledTables,
): { ok: true; miles: number } | { ok: false; problem: FieldProblem } {
  const a = tables.airports.get(origin)!;
  const b = tables.airports.get(destination)!;
  const greatCircle = greatCircleMiles(a.latitude, a.longitude, b.latitude, b.longitude);
  if (requestedMiles === undefined) {
    // The route's median flown distance matches what training saw; the great circle is the fallback.
    const route = tables.routes.get(`${origin}-${destination}`);
    return { ok: true, miles: Math.round(route?.distanceMiles ?? greatCircle) };
  }

  const low = greatCircle * DISTANCE_TOLERANCE.belowRatio - DISTANCE_TOLERANCE.slackMiles;
  const high = greatCircle * DISTANCE_TOLERANCE.aboveRatio + DISTANCE_TOLERANCE.slackMiles;
  if (requestedMiles < low || requestedMiles > high) {
    return {
      ok: false,
      problem: {
        field: "distance_miles",
        message: {
          code: "distance_mismatch",
          params: { value: requestedMiles, expected: Math.round(greatCircle), origin, destination },
        },
      },
    };
  }
  return { ok: true, miles: Math.round(requestedMiles) };
}
