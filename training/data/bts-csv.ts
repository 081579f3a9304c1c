// Reader for BTS On-Time Performance CSV downloads (transtats.bts.gov, "Reporting Carrier On-Time Performance").
// Those files quote strings, end every line with a comma (so the header has an empty last name) and carry
// many more columns than REQUIRED_COLUMNS, which are the only ones read.

import { createReadStream } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { CsvError, parse } from "csv-parse";
import { toLocalMinute } from "../../core/time";
import type { FlightRecord, ReadReport, RecordSink, RejectReason } from "./types";
import { checkFlightFields, hashFile } from "./validate";

const REQUIRED_COLUMNS = [
  "FlightDate",
  "CRSDepTime",
  "Origin",
  "Dest",
  "Distance",
  "ArrDelay",
  "Cancelled",
  "Diverted",
] as const;

type BtsRow = Partial<Record<string, string>>;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// Some BTS downloads write "1/5/2023 12:00:00 AM" or "1/5/2023" in place of the ISO date.
const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?: 12:00:00 AM)?$/;
const HHMM = /^\d{1,4}$/;
const PROGRESS_INTERVAL_ROWS = 100_000;

// Numeric collation puts On_Time_2023_2.csv before On_Time_2023_10.csv, so records follow calendar order.
const FILE_NAME_ORDER = new Intl.Collator("en", { numeric: true });

export interface BtsReadOptions {
  dir: string;
  /** Called every 100,000 rows and after each file with the number of rows read so far, over all files. */
  onProgress?: (rowsRead: number) => void;
}

/**
 * Streams every *.csv file in `dir`, in name order, into `sink` and counts every rejected row by reason.
 * Throws if the folder has no CSV file, if a file lacks a header or one of REQUIRED_COLUMNS,
 * or if a line is malformed (the error names the file and line).
 */
export async function readBtsCsvFolder(options: BtsReadOptions, sink: RecordSink): Promise<ReadReport> {
  const fileNames = await listCsvFiles(options.dir);
  const report: ReadReport = { source: options.dir, rowsRead: 0, rowsAccepted: 0, rejected: {}, sha256: {} };

  for (const fileName of fileNames) {
    const path = join(options.dir, fileName);

    // Hashing runs in parallel with parsing, and Promise.all surfaces the first failure of either.
    const [sha256] = await Promise.all([hashFile(path), readCsvFile(path, options, report, sink)]);
    report.sha256[fileName] = sha256;

    options.onProgress?.(report.rowsRead);
  }

  return report;
}

async function listCsvFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((entry) => (entry.isFile() || entry.isSymbolicLink()) && entry.name.toLowerCase().endsWith(".csv"))
    .map((entry) => entry.name);

  if (names.length === 0) {
    throw new Error(`No *.csv files found in ${dir}. Expected BTS On-Time Performance CSV downloads.`);
  }
  return names.sort(FILE_NAME_ORDER.compare);
}

async function readCsvFile(path: string, options: BtsReadOptions, report: ReadReport, sink: RecordSink): Promise<void> {
  let headerSeen = false;
  const parser = createReadStream(path).pipe(
    parse({
      bom: true,
      columns: (header: string[]) => {
        headerSeen = true;
        return mapHeader(header, path);
      },
    }),
  );

  try {
    for await (const row of parser) {
      countRow(convertBtsRow(row as BtsRow), report, sink);
      if (report.rowsRead % PROGRESS_INTERVAL_ROWS === 0) options.onProgress?.(report.rowsRead);
    }
  } catch (error) {
    // csv-parse reports the line but not the file, and the caller may be reading a folder of dozens.
    if (error instanceof CsvError) throw new Error(`Failed to parse ${path}: ${error.message}`, { cause: error });
    throw error;
  }

  if (!headerSeen) throw new Error(`${path} is empty. Expected a header line with ${REQUIRED_COLUMNS.join(", ")}.`);
}

/** Checks the required columns and drops unnamed ones, such as the empty name left by the trailing comma. */
function mapHeader(header: string[], path: string): (string | false)[] {
  const names = header.map((name) => name.trim());

  const missing = REQUIRED_COLUMNS.filter((column) => !names.includes(column));
  if (missing.length > 0) {
    throw new Error(
      `${path} is missing required columns: ${missing.join(", ")}. Download it again with these fields selected.`,
    );
  }

  return names.map((name) => (name === "" ? false : name));
}

function countRow(result: FlightRecord | RejectReason, report: ReadReport, sink: RecordSink): void {
  report.rowsRead++;
  if (typeof result === "string") {
    report.rejected[result] = (report.rejected[result] ?? 0) + 1;
    return;
  }
  report.rowsAccepted++;
  sink(result);
}

/**
 * Converts one CSV row into a FlightRecord, or returns the reason for rejecting it.
 * A row with several problems gets the first reason in this order: missing_field (Cancelled or Diverted empty or
 * not 0/1), cancelled, diverted, missing_field (Origin, Dest, Distance or ArrDelay empty), invalid_airport,
 * same_airport, invalid_distance, invalid_delay, invalid_time. An empty FlightDate or CRSDepTime counts as
 * invalid_time. Cancelled and diverted come first because those rows never have an arrival delay.
 */
export function convertBtsRow(row: BtsRow): FlightRecord | RejectReason {
  const cancelled = parseFlag(row.Cancelled);
  const diverted = parseFlag(row.Diverted);
  if (cancelled === undefined || diverted === undefined) return "missing_field";
  if (cancelled) return "cancelled";
  if (diverted) return "diverted";

  const { Origin: origin, Dest: destination, Distance: distance, ArrDelay: delay } = row;
  if (!origin || !destination || !distance || !delay) return "missing_field";

  const distanceMiles = Number(distance);
  const arrivalDelayMinutes = Number(delay);
  const problem = checkFlightFields(origin, destination, distanceMiles, arrivalDelayMinutes);
  if (problem) return problem;

  const scheduledMinute = parseScheduledMinute(row.FlightDate, row.CRSDepTime);
  if (scheduledMinute === undefined) return "invalid_time";

  // DepTime (the actual departure) is not read, so actualMinute repeats the scheduled time, as FlightRecord allows.
  return {
    origin,
    destination,
    scheduledMinute,
    actualMinute: scheduledMinute,
    distanceMiles,
    arrivalDelayMinutes,
  };
}

/** Parses "1.00"/"0.00" or "1"/"0". Returns undefined for anything else. */
function parseFlag(value: string | undefined): boolean | undefined {
  if (!value) return undefined;
  const number = Number(value);
  if (number === 1) return true;
  if (number === 0) return false;
  return undefined;
}

function parseScheduledMinute(flightDate: string | undefined, crsDepTime: string | undefined): number | undefined {
  const date = parseFlightDate(flightDate);
  const minuteOfDay = parseHhmm(crsDepTime);
  if (date === undefined || minuteOfDay === undefined) return undefined;

  return toLocalMinute({ ...date, hour: 0, minute: 0 }) + minuteOfDay;
}

/** Parses "YYYY-MM-DD", "M/D/YYYY" or "M/D/YYYY 12:00:00 AM", rejecting dates that do not exist (2023-02-30). */
function parseFlightDate(value: string | undefined): { year: number; month: number; day: number } | undefined {
  if (!value) return undefined;

  let year: number, month: number, day: number;
  const iso = ISO_DATE.exec(value);
  const us = US_DATE.exec(value);
  if (iso) {
    [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  } else if (us) {
    [month, day, year] = [Number(us[1]), Number(us[2]), Number(us[3])];
  } else {
    return undefined;
  }

  // Date.UTC rolls 2023-02-30 over to March 2, so a date that changes on the round trip does not exist.
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    return undefined;
  }
  return { year, month, day };
}

/**
 * Parses a BTS "HHMM" local time ("0705", "705", "5") into minutes after midnight.
 * "2400" is midnight at the end of the day and returns 1440, so the departure lands on the next day at 00:00.
 */
function parseHhmm(value: string | undefined): number | undefined {
  if (!value || !HHMM.test(value)) return undefined;

  const hhmm = Number(value);
  const hour = Math.floor(hhmm / 100);
  const minute = hhmm % 100;
  if (minute > 59 || hour > 24 || (hour === 24 && minute !== 0)) return undefined;
  return hour * 60 + minute;
}
