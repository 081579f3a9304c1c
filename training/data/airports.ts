// Reader for vega-datasets' airports.csv (columns iata,name,city,state,country,latitude,longitude). It lists 3,376
// airports, all but four in the U.S., by FAA location identifier, which has three characters except for 42 small airfields.

import { createReadStream } from "node:fs";
import { CsvError, parse } from "csv-parse";

const REQUIRED_COLUMNS = ["iata", "name", "city", "state", "country", "latitude", "longitude"] as const;

type AirportRow = Partial<Record<string, string>>;

/** One airport, with coordinates in decimal degrees. */
export interface Airport {
  code: string;
  name: string;
  /** Empty when the file has "NA". */
  city: string;
  /** Two-letter state or territory code, empty when the file has "NA". */
  state: string;
  country: string;
  latitude: number;
  longitude: number;
}

export interface AirportsReadResult {
  /** Airports keyed by code. */
  airports: Map<string, Airport>;
  /** Rows left out: an empty code, a code seen before, or a latitude or longitude that is missing or out of range. */
  skipped: number;
}

/**
 * Reads the airports CSV. Rows with an empty or repeated code or with invalid coordinates are skipped and counted.
 * Throws if the file lacks a required column or a line is malformed.
 */
export async function readAirports(path: string): Promise<AirportsReadResult> {
  const airports = new Map<string, Airport>();
  let skipped = 0;

  const parser = createReadStream(path).pipe(
    parse({ bom: true, columns: (header: string[]) => checkHeader(header, path) }),
  );

  try {
    for await (const row of parser) {
      const airport = toAirport(row as AirportRow);
      if (airport === undefined || airports.has(airport.code)) {
        skipped++;
        continue;
      }
      airports.set(airport.code, airport);
    }
  } catch (error) {
    if (error instanceof CsvError) throw new Error(`Failed to parse ${path}: ${error.message}`, { cause: error });
    throw error;
  }

  return { airports, skipped };
}

function checkHeader(header: string[], path: string): string[] {
  const names = header.map((name) => name.trim());
  const missing = REQUIRED_COLUMNS.filter((column) => !names.includes(column));
  if (missing.length > 0) {
    throw new Error(
      `${path} is missing required columns: ${missing.join(", ")}. Expected ${REQUIRED_COLUMNS.join(", ")}.`,
    );
  }
  return names;
}

function toAirport(row: AirportRow): Airport | undefined {
  const code = row.iata?.trim() ?? "";
  if (code === "") return undefined;

  const latitude = parseCoordinate(row.latitude, 90);
  const longitude = parseCoordinate(row.longitude, 180);
  if (latitude === undefined || longitude === undefined) return undefined;

  return {
    code,
    name: row.name ?? "",
    city: orEmpty(row.city),
    state: orEmpty(row.state),
    country: row.country ?? "",
    latitude,
    longitude,
  };
}

/** Parses decimal degrees within ±limit. Returns undefined for an empty, non-numeric or out-of-range value. */
function parseCoordinate(value: string | undefined, limit: number): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const degrees = Number(value);
  if (!Number.isFinite(degrees) || Math.abs(degrees) > limit) return undefined;
  return degrees;
}

// airports.csv writes a missing city or state as "NA" (for example, for CLD, McClellan-Palomar).
function orEmpty(value: string | undefined): string {
  return value === undefined || value === "NA" ? "" : value;
}
