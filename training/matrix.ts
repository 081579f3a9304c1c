// Feature matrices for training and evaluation, written by the same feature module that serves.

import { FEATURE_COUNT, writeFeatures } from "../core/features";
import { compileTables, type LookupTables } from "../core/tables";
import type { FlightColumns } from "./columns";
import { DELAY_THRESHOLD_MINUTES } from "./tables";

export interface Matrix {
  rows: Uint32Array;
  features: Float32Array;
  labels: Uint8Array;
}

/** Clock of the time-of-day features: the scheduled time (honest) or the actual departure (leaky). */
export type TimeBasis = "scheduled" | "actual";

/** Computes features for `rows` with one set of lookup tables. */
export function buildMatrix(columns: FlightColumns, rows: Uint32Array, tables: LookupTables, timeBasis: TimeBasis): Matrix {
  const matrix = allocate(rows);
  fillRows(matrix, 0, columns, rows, tables, timeBasis);
  return matrix;
}

/**
 * Computes features where each group of rows uses its own tables: out-of-fold encoding, so a
 * training row never gets a delay rate computed from its own label.
 */
export function buildOutOfFoldMatrix(
  columns: FlightColumns,
  folds: Array<{ rows: Uint32Array; tables: LookupTables }>,
  timeBasis: TimeBasis,
): Matrix {
  const all = new Uint32Array(folds.reduce((n, fold) => n + fold.rows.length, 0));
  let offset = 0;
  for (const fold of folds) {
    all.set(fold.rows, offset);
    offset += fold.rows.length;
  }
  const matrix = allocate(all);
  offset = 0;
  for (const fold of folds) {
    fillRows(matrix, offset, columns, fold.rows, fold.tables, timeBasis);
    offset += fold.rows.length;
  }
  return matrix;
}

export function labelOf(columns: FlightColumns, row: number): number {
  return columns.arrivalDelayMinutes[row]! >= DELAY_THRESHOLD_MINUTES ? 1 : 0;
}

function allocate(rows: Uint32Array): Matrix {
  return {
    rows,
    features: new Float32Array(rows.length * FEATURE_COUNT),
    labels: new Uint8Array(rows.length),
  };
}

function fillRows(
  matrix: Matrix,
  offset: number,
  columns: FlightColumns,
  rows: Uint32Array,
  tables: LookupTables,
  timeBasis: TimeBasis,
): void {
  const compiled = compileTables(tables);
  const clock = timeBasis === "scheduled" ? columns.scheduledMinute : columns.actualMinute;
  const codes = columns.airportCodes;
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k]!;
    const input = {
      origin: codes[columns.origin[i]!]!,
      destination: codes[columns.destination[i]!]!,
      localMinute: clock[i]!,
      distanceMiles: columns.distanceMiles[i]!,
    };
    writeFeatures(compiled, input, matrix.features, (offset + k) * FEATURE_COUNT);
    matrix.labels[offset + k] = labelOf(columns, i);
  }
}
