// Readers for batch request bodies. Each yields the rows of one format one at a time, numbered
// from 1, so a body of any size is read with bounded memory.
//
// A problem with the whole body (empty, a JSON body that is not an array, a bad CSV header) is
// thrown as a 400 ApiError, and only before the first row is yielded. The route reads the first row
// before it starts the response, so such a body gets an error response instead of a stream.

import { createInterface } from "node:readline";
import { type Readable, Transform, type TransformCallback } from "node:stream";
import { CsvError, parse as parseCsv } from "csv-parse";
import streamArray from "stream-json/streamers/stream-array.js";
import type { FieldProblem } from "../../core/flight";
import { ApiError } from "../../core/http/errors";
import type { LocalizableMessage } from "../../core/messages";

export type BatchFormat = "json" | "ndjson" | "csv";

/** The error of a row that cannot be scored: a row error code and one problem per field. */
export interface RowError {
  code: "invalid_json" | "invalid_csv" | "invalid_request" | "unknown_airport";
  problems: FieldProblem[];
}

/** One input row: its parsed value, or why it could not be parsed. */
export type InputRow = { row: number; value: unknown } | { row: number; error: RowError };

const CONTENT_TYPES: Array<[RegExp, BatchFormat]> = [
  [/^application\/(x-)?ndjson\b|^application\/jsonl\b|^application\/x-jsonlines\b/i, "ndjson"],
  [/^application\/([\w.+-]+\+)?json\b/i, "json"],
  [/^text\/csv\b/i, "csv"],
];

const REQUIRED_COLUMNS = ["origin", "destination", "departure"];
const OPTIONAL_COLUMNS = ["distance_miles", "reference", "model"];

export function formatOf(contentType: string): BatchFormat | undefined {
  return CONTENT_TYPES.find(([pattern]) => pattern.test(contentType))?.[1];
}

export function readRows(format: BatchFormat, body: Readable): AsyncGenerator<InputRow> {
  if (format === "ndjson") return readNdjson(body);
  if (format === "csv") return readCsv(body);
  return readJsonArray(body);
}

function emptyBatch(): ApiError {
  return new ApiError(400, "empty_batch", { code: "empty_batch" });
}

function rowError(row: number, code: RowError["code"], message: LocalizableMessage): InputRow {
  return { row, error: { code, problems: [{ field: "row", message }] } };
}

/**
 * Reads a JSON array element by element. A syntax error ends the batch with one error row, except
 * before the first element, where an empty body or a value that is not an array is a 400.
 */
async function* readJsonArray(body: Readable): AsyncGenerator<InputRow> {
  const firstByte = new FirstByteProbe();
  const elements = streamArray.withParserAsStream();
  body.pipe(firstByte).pipe(elements);
  body.on("error", (error) => elements.destroy(error));
  let row = 0;
  try {
    for await (const element of elements as AsyncIterable<{ key: number; value: unknown }>) {
      row = element.key + 1;
      yield { row, value: element.value };
    }
  } catch {
    // stream-json's own message is English parser text, so the row gets a catalog message instead.
    // NOTE: the parser drops the elements it had parsed from the chunk that contains the error, so the
    // error row is the first row not returned, which can come before the row with the bad syntax.
    if (row === 0) rejectUnlessArray(firstByte.value);
    yield rowError(row + 1, "invalid_json", { code: "json_array_syntax" });
    return;
  } finally {
    elements.destroy();
  }
  if (row === 0) rejectUnlessArray(firstByte.value);
}

/** Throws the 400 for a JSON body that is empty or whose top-level value is not an array. */
function rejectUnlessArray(firstByte: number | undefined): void {
  if (firstByte === undefined) throw emptyBatch();
  if (firstByte !== "[".charCodeAt(0)) {
    const message = { code: "batch_not_an_array" as const };
    throw new ApiError(400, "batch_not_an_array", message, [{ field: "body", message }]);
  }
}

/** Reads one JSON object per line. Blank lines are skipped but still counted, so row numbers are line numbers. */
async function* readNdjson(body: Readable): AsyncGenerator<InputRow> {
  const lines = createInterface({ input: body, crlfDelay: Infinity });
  let row = 0;
  let sawContent = false;
  try {
    for await (const line of lines) {
      row++;
      if (line.trim() === "") continue;
      sawContent = true;
      try {
        yield { row, value: JSON.parse(line) };
      } catch (error) {
        yield rowError(row, "invalid_json", { code: "row_invalid_json", params: jsonErrorPosition(error) });
      }
    }
  } finally {
    lines.close();
  }
  if (!sawContent) throw emptyBatch();
}

/**
 * Returns the 1-based character where JSON.parse failed, when its message gives one. V8 words the
 * message in English ("... at position 12"), so only the number is kept.
 */
function jsonErrorPosition(error: unknown): { position: number } | undefined {
  const match = error instanceof SyntaxError ? /\bposition (\d+)\b/.exec(error.message) : null;
  return match ? { position: Number(match[1]) + 1 } : undefined;
}

/**
 * Reads CSV whose first line is a header naming the columns: origin, destination, departure, and
 * optionally distance_miles, reference, model. Row 1 is the first line after the header.
 */
async function* readCsv(body: Readable): AsyncGenerator<InputRow> {
  const parser = body.pipe(parseCsv({ bom: true, skip_empty_lines: true, trim: true, relax_column_count: true }));
  let header: string[] | undefined;
  let row = 0;
  try {
    for await (const cells of parser as AsyncIterable<string[]>) {
      if (!header) {
        header = checkCsvHeader(cells);
        continue;
      }
      row++;
      yield csvRow(row, cells, header);
    }
  } catch (error) {
    if (error instanceof ApiError || !(error instanceof CsvError)) throw error;
    const message = { code: "invalid_csv" as const, params: { reason: error.code } };
    // A header line that cannot be parsed is a header problem, so the whole batch gets the 400.
    if (!header) throw new ApiError(400, "invalid_csv_header", { code: "invalid_csv_header" }, [{ field: "header", message }]);
    yield rowError(row + 1, "invalid_csv", message);
    return;
  } finally {
    parser.destroy();
  }
  if (!header) throw emptyBatch();
}

/** Returns the header's column names, or throws a 400 naming each missing, unknown or repeated column. */
function checkCsvHeader(columns: string[]): string[] {
  const problems: FieldProblem[] = [];
  for (const column of REQUIRED_COLUMNS) {
    if (!columns.includes(column)) problems.push({ field: column, message: { code: "csv_missing_column", params: { field: column } } });
  }
  const seen = new Set<string>();
  for (const column of columns) {
    if (!REQUIRED_COLUMNS.includes(column) && !OPTIONAL_COLUMNS.includes(column)) {
      problems.push({ field: column, message: { code: "csv_unknown_column", params: { field: column } } });
    } else if (seen.has(column)) {
      problems.push({ field: column, message: { code: "csv_duplicate_column", params: { field: column } } });
    }
    seen.add(column);
  }
  if (problems.length > 0) throw new ApiError(400, "invalid_csv_header", { code: "invalid_csv_header" }, problems);
  return columns;
}

/**
 * Turns CSV cells into a flight, so CSV rows validate like JSON ones: empty cells are dropped and
 * distance_miles becomes a number. Missing trailing cells count as empty, but extra non-empty cells
 * are an error because they usually mean an unquoted comma shifted the row.
 */
function csvRow(row: number, cells: string[], header: string[]): InputRow {
  const extra = cells.slice(header.length).filter((cell) => cell !== "");
  if (extra.length > 0) {
    return rowError(row, "invalid_request", { code: "csv_extra_cells", params: { count: cells.length, columns: header.length } });
  }

  const flight: Record<string, unknown> = {};
  header.forEach((column, i) => {
    const value = cells[i] ?? "";
    if (value === "") return;
    flight[column] = column === "distance_miles" && !Number.isNaN(Number(value)) ? Number(value) : value;
  });
  return { row, value: flight };
}

const BYTE_ORDER_MARK = [0xef, 0xbb, 0xbf];
const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** Passes the body through unchanged and records its first byte that is not whitespace or a byte order mark. */
class FirstByteProbe extends Transform {
  value: number | undefined;
  private offset = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    for (let i = 0; this.value === undefined && i < chunk.length; i++, this.offset++) {
      const byte = chunk[i]!;
      const inByteOrderMark = this.offset < BYTE_ORDER_MARK.length && byte === BYTE_ORDER_MARK[this.offset];
      if (!inByteOrderMark && !WHITESPACE.has(byte)) this.value = byte;
    }
    callback(null, chunk);
  }
}
