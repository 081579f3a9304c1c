// Serialises batch results in the format the request used: a JSON array, NDJSON lines, or CSV.

import { type Language, renderMessage } from "../../core/messages";
import type { BatchFormat } from "./read";
import type { BatchResult } from "./score";

export const CONTENT_TYPE: Record<BatchFormat, string> = {
  json: "application/json; charset=utf-8",
  ndjson: "application/x-ndjson; charset=utf-8",
  csv: "text/csv; charset=utf-8",
};

const CSV_COLUMNS = [
  "row",
  "origin",
  "destination",
  "departure",
  "distance_miles",
  "reference",
  "delay_probability",
  "is_delayed",
  "error_code",
  "error_field",
  "error_message",
];

/** Turns result chunks into text chunks, adding the format's header and footer. */
export async function* writeResults(
  chunks: AsyncIterable<BatchResult[]>,
  format: BatchFormat,
  language: Language,
): AsyncGenerator<string> {
  if (format === "csv") yield CSV_COLUMNS.join(",") + "\n";
  if (format === "json") yield "[";
  let first = true;

  for await (const chunk of chunks) {
    if (chunk.length === 0) continue;
    const lines = chunk.map((result) => (format === "csv" ? csvLine(result, language) : JSON.stringify(jsonResult(result, language))));
    if (format === "json") {
      yield (first ? "\n" : ",\n") + lines.join(",\n");
    } else {
      yield lines.join("\n") + "\n";
    }
    first = false;
  }
  if (format === "json") yield first ? "]\n" : "\n]\n";
}

function jsonResult(result: BatchResult, language: Language): object {
  if ("prediction" in result) {
    const { request_id: _requestId, served_by: _servedBy, cached: _cached, ...prediction } = result.prediction;
    return { row: result.row, ...prediction };
  }
  return { row: result.row, error: describeError(result.error, language) };
}

function describeError(error: Extract<BatchResult, { error: unknown }>["error"], language: Language) {
  return {
    code: error.code,
    details: error.problems.map((p) => ({ field: p.field, message: renderMessage(p.message, language) })),
  };
}

function csvLine(result: BatchResult, language: Language): string {
  if ("prediction" in result) {
    const p = result.prediction;
    return [result.row, p.flight.origin, p.flight.destination, p.flight.departure, p.flight.distance_miles, p.reference ?? "", p.delay_probability, p.is_delayed, "", "", ""]
      .map(csvCell)
      .join(",");
  }
  const error = describeError(result.error, language);
  const fields = error.details.map((d) => d.field).join(";");
  const messages = error.details.map((d) => d.message).join(" ");
  return [result.row, "", "", "", "", "", "", "", error.code, fields, messages].map(csvCell).join(",");
}

/** Quotes a cell that contains a comma, quote or line break (RFC 4180). */
function csvCell(value: string | number | boolean): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
