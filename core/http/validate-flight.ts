import { canonicalizeFlight, type CanonicalFlight } from "../flight";
import type { CompiledTables } from "../tables";
import { ApiError } from "./errors";

/**
 * Returns the canonical flight of a request body, or throws the API error both servers return:
 * 400 listing every invalid field, or 422 naming the airports the model does not know.
 */
export function validateFlightOrThrow(body: unknown, tables: CompiledTables, modelLabel: string): CanonicalFlight {
  const result = canonicalizeFlight(body, tables, modelLabel);
  if (result.ok) return result.flight;
  if (result.status === 422) throw new ApiError(422, "unknown_airport", { code: "unknown_airports" }, result.problems);
  const summary = result.problems.length === 1 ? result.problems[0]!.message : { code: "invalid_request" as const };
  throw new ApiError(400, "invalid_request", summary, result.problems);
}
