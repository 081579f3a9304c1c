// Feature matrices for one training run: out-of-fold rows for training, serving tables for the rest.

import type { LookupTables } from "../core/tables";
import type { FlightColumns } from "./columns";
import { buildMatrix, buildOutOfFoldMatrix, type Matrix, type TimeBasis } from "./matrix";
import { rowsByMonth, type TimeSplit } from "./split";
import { buildTables, type AirportLocation } from "./tables";

export interface Matrices {
  /** Tables from every training row: the ones shipped with the model. */
  tables: LookupTables;
  train: Matrix;
  validation: Matrix;
  test: Matrix;
  excludedUnseenAirport: { validation: number; test: number };
}

/**
 * Builds the serving tables from all training rows, and out-of-fold features for the training rows:
 * each training month is encoded with tables from the other training months, so no training row
 * gets a delay rate that includes its own label.
 */
export function buildMatrices(
  columns: FlightColumns,
  split: TimeSplit,
  locations: Map<string, AirportLocation>,
  smoothing: number,
  timeBasis: TimeBasis,
): Matrices {
  const options = { smoothing, timeBasis };
  const tables = buildTables(columns, split.train, locations, options);
  const includeAirports = new Set(Object.keys(tables.airports));

  const months = rowsByMonth(columns, split.train);
  const folds = [...months.keys()].map((month) => {
    const rows = months.get(month)!;
    const others = concat([...months].filter(([m]) => m !== month).map(([, r]) => r));
    const foldTables = buildTables(columns, others, locations, { ...options, includeAirports });
    return { rows: knownAirportRows(columns, rows, foldTables).rows, tables: foldTables };
  });

  const validation = knownAirportRows(columns, split.validation, tables);
  const test = knownAirportRows(columns, split.test, tables);
  return {
    tables,
    train: buildOutOfFoldMatrix(columns, folds, timeBasis),
    validation: buildMatrix(columns, validation.rows, tables, timeBasis),
    test: buildMatrix(columns, test.rows, tables, timeBasis),
    excludedUnseenAirport: { validation: validation.excluded, test: test.excluded },
  };
}

/** Keeps rows whose two airports are in `tables`; serving rejects the others with a 422. */
function knownAirportRows(
  columns: FlightColumns,
  rows: Uint32Array,
  tables: LookupTables,
): { rows: Uint32Array; excluded: number } {
  const known = columns.airportCodes.map((code) => code in tables.airports);
  const kept = rows.filter((i) => known[columns.origin[i]!]! && known[columns.destination[i]!]!);
  return { rows: kept, excluded: rows.length - kept.length };
}

function concat(parts: Uint32Array[]): Uint32Array {
  const out = new Uint32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
