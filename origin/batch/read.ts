// Readers for batch request bodies. Each yields the rows of one format one at a time, numbered
// from 1, so a body of any size is read with bounded memory.

import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { parse as parseCsv } from "csv-parse";
import streamArray from "stream-json/streamers/stream-array.js";

export type BatchFormat = "json" | "ndjson" | "csv";

/** One input row: its parsed value, or why it could not be parsed. */
export type InputRow = { row: number; value: unknown } | { row: number; syntaxError: string };

const CONTENT_TYPES: Array<[RegExp, BatchFormat]> = [
  [/^application\/(x-)?ndjson\b|^application\/jsonl\b|^application\/x-jsonlines\b/i, "ndjson"],
  [/^application\/([\w.+-]+\+)?json\b/i, "json"],
  [/^text\/csv\b/i, "csv"],
];

export function formatOf(contentType: string): BatchFormat | undefined {
  return CONTENT_TYPES.find(([pattern]) => pattern.test(contentType))?.[1];
}

export function readRows(format: BatchFormat, body: Readable): AsyncGenerator<InputRow> {
  if (format === "ndjson") return readNdjson(body);
  if (format === "csv") return readCsv(body);
  return readJsonArray(body);
}

/** Reads a JSON array element by element. A syntax error ends the batch with one error row. */
async function* readJsonArray(body: Readable): AsyncGenerator<InputRow> {
  const elements = streamArray.withParserAsStream();
  body.pipe(elements);
  body.on("error", (error) => elements.destroy(error));
  let row = 0;
  try {
    for await (const element of elements as AsyncIterable<{ key: number; value: unknown }>) {
      row = element.key + 1;
      yield { row, value: element.value };
    }
  } catch (error) {
    yield { row: row + 1, syntaxError: error instanceof Error ? error.message : String(error) };
  } finally {
    elements.destroy();
  }
}

/** Reads one JSON object per line. Blank lines are skipped but still counted, so row numbers are line numbers. */
async function* readNdjson(body: Readable): AsyncGenerator<InputRow> {
  const lines = createInterface({ input: body, crlfDelay: Infinity });
  let row = 0;
  try {
    for await (const line of lines) {
      row++;
      if (line.trim() === "") continue;
      try {
        yield { row, value: JSON.parse(line) };
      } catch (error) {
        yield { row, syntaxError: error instanceof Error ? error.message : String(error) };
      }
    }
  } finally {
    lines.close();
  }
}

/**
 * CSV with a header row naming the fields (origin, destination, departure, and optionally
 * distance_miles, reference, model). Row 1 is the first line after the header.
 */
async function* readCsv(body: Readable): AsyncGenerator<InputRow> {
  const parser = body.pipe(parseCsv({ columns: true, bom: true, skip_empty_lines: true, trim: true, relax_column_count: true }));
  let row = 0;
  try {
    for await (const record of parser as AsyncIterable<Record<string, string>>) {
      row++;
      yield { row, value: csvRecordToFlight(record) };
    }
  } catch (error) {
    yield { row: row + 1, syntaxError: error instanceof Error ? error.message : String(error) };
  } finally {
    parser.destroy();
  }
}

/** Drops empty cells and turns distance_miles into a number, so CSV rows validate like JSON ones. */
function csvRecordToFlight(record: Record<string, string>): Record<string, unknown> {
  const flight: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (value === "") continue;
    flight[key] = key === "distance_miles" && value.trim() !== "" && !Number.isNaN(Number(value)) ? Number(value) : value;
  }
  return flight;
}
