// Simple baselines scored on the same test rows as the model: the bar the model has to clear.

import { minuteOfDay } from "../core/time";
import type { FlightColumns } from "./columns";
import { labelOf } from "./matrix";
import { auc, brier, logLoss } from "./metrics";

export interface BaselineResult {
  name: string;
  description: string;
  /** Smoothing pseudo-count, chosen on the validation rows. */
  smoothing: number;
  auc: number;
  logLoss: number;
  brier: number;
}

type KeyFn = (columns: FlightColumns, row: number) => string;

const BASELINES: Array<{ name: string; description: string; key: KeyFn }> = [
  { name: "constant_rate", description: "training delay rate for every flight", key: () => "" },
  {
    name: "route_rate",
    description: "training delay rate of the origin → destination route (smoothed)",
    key: (c, i) => `${c.origin[i]}-${c.destination[i]}`,
  },
  {
    name: "route_hour_rate",
    description: "training delay rate of the route in the scheduled departure hour (smoothed toward the route)",
    key: (c, i) => `${c.origin[i]}-${c.destination[i]}@${Math.floor(minuteOfDay(c.scheduledMinute[i]!) / 60)}`,
  },
];

/** Smoothing values tried for each baseline; the one with the best validation AUC is kept. */
const SMOOTHING_CANDIDATES = [1, 5, 20, 50, 200];

/**
 * Scores every baseline on `testRows`, with rates learned from `trainRows`. Each baseline gets the
 * smoothing that does best on `validationRows`, so the model is compared with the strongest version.
 */
export function scoreBaselines(
  columns: FlightColumns,
  trainRows: Uint32Array,
  validationRows: Uint32Array,
  testRows: Uint32Array,
): BaselineResult[] {
  const validationLabels = Uint8Array.from(validationRows, (i) => labelOf(columns, i));
  const results = SMOOTHING_CANDIDATES.map((m) => ({
    m,
    validation: scoreAt(columns, trainRows, validationRows, validationLabels, m),
  }));
  const labels = Uint8Array.from(testRows, (i) => labelOf(columns, i));
  return BASELINES.map((_, index) => {
    const best = results.reduce((a, b) => (b.validation[index]!.auc > a.validation[index]!.auc ? b : a));
    return scoreAt(columns, trainRows, testRows, labels, best.m)[index]!;
  });
}

function scoreAt(
  columns: FlightColumns,
  trainRows: Uint32Array,
  testRows: Uint32Array,
  labels: Uint8Array,
  m: number,
): BaselineResult[] {
  let delayed = 0;
  for (const i of trainRows) delayed += labelOf(columns, i);
  const prior = delayed / trainRows.length;

  const routeRates = rates(columns, trainRows, BASELINES[1]!.key, () => prior, m);
  const parents: Array<(row: number) => number> = [
    () => prior,
    () => prior,
    (row) => routeRates.get(BASELINES[1]!.key(columns, row)) ?? prior,
  ];

  return BASELINES.map((baseline, index) => {
    const parent = parents[index]!;
    const table = rates(columns, trainRows, baseline.key, parent, m);
    const scores = Float64Array.from(testRows, (i) => table.get(baseline.key(columns, i)) ?? parent(i));
    return {
      name: baseline.name,
      description: baseline.description,
      smoothing: m,
      auc: auc(labels, scores),
      logLoss: logLoss(labels, scores),
      brier: brier(labels, scores),
    };
  });
}

function rates(
  columns: FlightColumns,
  rows: Uint32Array,
  key: KeyFn,
  parent: (row: number) => number,
  m: number,
): Map<string, number> {
  const counts = new Map<string, { flights: number; delayed: number; parent: number }>();
  for (const i of rows) {
    const k = key(columns, i);
    let c = counts.get(k);
    if (!c) counts.set(k, (c = { flights: 0, delayed: 0, parent: parent(i) }));
    c.flights++;
    c.delayed += labelOf(columns, i);
  }
  return new Map([...counts].map(([k, c]) => [k, (c.delayed + m * c.parent) / (c.flights + m)]));
}
