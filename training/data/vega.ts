// Reader for vega-datasets' flights-3m.parquet: 3,000,000 U.S. flights from the BTS on-time performance data
// (source per the package's datapackage.json), sorted by departure from 2001-01-01 00:01 to 2001-07-01 00:00.
// The six rows at 2001-07-01 00:00 are most likely June 30 departures recorded as "2400".
// Columns: date is an INT64 TIMESTAMP in microseconds, not adjusted to UTC, so it is the naive local wall clock
// of the ACTUAL departure. delay is the INT64 arrival delay in minutes, distance is INT64 miles, and origin and
// destination are airport code strings.

import { basename } from "node:path";
import {
  asyncBufferFromFile,
  parquetMetadataAsync,
  parquetScan,
  parquetSchema,
  type DecodedArray,
  type ParquetRowRange,
  type ParquetScan,
} from "hyparquet";
import { compressors } from "hyparquet-compressors";
import type { FlightRecord, ReadReport, RecordSink, RejectReason } from "./types";
import { checkFlightFields, hashFile } from "./validate";

const VEGA_COLUMNS = ["date", "delay", "distance", "origin", "destination"] as const;
type VegaColumn = (typeof VEGA_COLUMNS)[number];

const MICROSECONDS_PER_MINUTE = 60_000_000n;

/** One parquet row with the values as hyparquet decodes them (bigint for INT64, null for a missing value). */
export type VegaRow = Record<VegaColumn, unknown>;

export interface VegaReadOptions {
  path: string;
  /** Called after each row group with the number of rows read so far. */
  onProgress?: (rowsRead: number) => void;
}

/**
 * Streams the flights parquet file one row group at a time into `sink` and counts every rejected row by reason.
 * At most one row group of decoded columns (about 273,000 rows in flights-3m.parquet) is in memory at a time.
 * Throws if the file cannot be read or lacks one of the columns date, delay, distance, origin, destination.
 */
export async function readVegaFlights(options: VegaReadOptions, sink: RecordSink): Promise<ReadReport> {
  const report: ReadReport = { source: options.path, rowsRead: 0, rowsAccepted: 0, rejected: {}, sha256: {} };

  // Hashing runs in parallel with decoding, and Promise.all surfaces the first failure of either.
  const [sha256] = await Promise.all([
    hashFile(options.path),
    readRowGroups(options, report, sink),
  ]);
  report.sha256[basename(options.path)] = sha256;

  return report;
}

async function readRowGroups(options: VegaReadOptions, report: ReadReport, sink: RecordSink): Promise<void> {
  const scan = await openScan(options.path);

  for (const range of scan.ranges) {
    const columns = await readRange(scan, range);
    const rowCount = range.rowEnd - range.rowStart;

    for (let i = 0; i < rowCount; i++) {
      const result = convertVegaRow(rowAt(columns, i));
      report.rowsRead++;
      if (typeof result === "string") {
        report.rejected[result] = (report.rejected[result] ?? 0) + 1;
      } else {
        report.rowsAccepted++;
        sink(result);
      }
    }

    options.onProgress?.(report.rowsRead);
  }
}

async function openScan(path: string): Promise<ParquetScan> {
  const file = await asyncBufferFromFile(path);
  const metadata = await parquetMetadataAsync(file);

  const present = new Set(parquetSchema(metadata).children.map((child) => child.element.name));
  const missing = VEGA_COLUMNS.filter((column) => !present.has(column));
  if (missing.length > 0) {
    throw new Error(
      `${path} is missing the parquet columns ${missing.join(", ")}. Expected the columns ${VEGA_COLUMNS.join(", ")}.`,
    );
  }

  return parquetScan({
    file,
    metadata,
    compressors,
    columns: [...VEGA_COLUMNS],
    // Keep timestamps as raw bigint microseconds. The default parser builds one Date per row, and the value is
    // naive local time anyway, so a Date would only suggest a UTC instant that the file does not store.
    parsers: { timestampFromMicroseconds: (micros: bigint) => micros },
  });
}

async function readRange(scan: ParquetScan, range: ParquetRowRange): Promise<Record<VegaColumn, DecodedArray>> {
  const entries = await Promise.all(
    VEGA_COLUMNS.map(async (column) => [column, await scan.readColumn({ column, ...range })] as const),
  );
  return Object.fromEntries(entries) as Record<VegaColumn, DecodedArray>;
}

function rowAt(columns: Record<VegaColumn, DecodedArray>, index: number): VegaRow {
  return {
    date: columns.date[index],
    delay: columns.delay[index],
    distance: columns.distance[index],
    origin: columns.origin[index],
    destination: columns.destination[index],
  };
}

/**
 * Converts one decoded row into a FlightRecord, or returns the reason for rejecting it.
 * A row with several problems gets the first reason in this order: missing_field, invalid_airport, same_airport,
 * invalid_distance, invalid_delay, invalid_time. A null or unreadable `date` counts as invalid_time.
 * `date` may be bigint microseconds (what readVegaFlights decodes) or a Date (hyparquet's default parser).
 */
export function convertVegaRow(row: VegaRow): FlightRecord | RejectReason {
  const { origin, destination, distance, delay } = row;
  if (origin == null || destination == null || distance == null || delay == null) return "missing_field";

  const distanceMiles = toNumber(distance);
  const arrivalDelayMinutes = toNumber(delay);
  const problem = checkFlightFields(origin, destination, distanceMiles, arrivalDelayMinutes);
  if (problem) return problem;

  const actualMinute = toLocalMinute(row.date);
  if (!Number.isSafeInteger(actualMinute)) return "invalid_time";

  // Leakage fix: `date` is the actual departure, but serving receives the scheduled departure, so features must be
  // computed from a scheduled time. The file has no departure delay, so the arrival delay serves as the closest
  // estimate, and scheduledMinute = actualMinute − max(delay, 0). An early arrival keeps scheduled = actual, because
  // a flight rarely leaves much before its scheduled time, so an early arrival mostly reflects a shorter flight.
  const scheduledMinute = actualMinute - Math.max(arrivalDelayMinutes, 0);

  return { origin: origin as string, destination: destination as string, scheduledMinute, actualMinute, distanceMiles, arrivalDelayMinutes };
}

/** Returns NaN for values that are neither number nor bigint. */
function toNumber(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  return NaN;
}

/**
 * Converts a naive timestamp to local wall-clock minutes since 1970-01-01T00:00, rounding down to the minute.
 * Returns NaN for a missing or unreadable value.
 */
function toLocalMinute(value: unknown): number {
  if (typeof value === "bigint") {
    // BigInt division truncates toward zero, so step down once for negative values to round down.
    const quotient = value / MICROSECONDS_PER_MINUTE;
    const floored = value < 0n && value % MICROSECONDS_PER_MINUTE !== 0n ? quotient - 1n : quotient;
    return Number(floored);
  }
  if (value instanceof Date) return Math.floor(value.getTime() / 60_000);
  return NaN;
}
