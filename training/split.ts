// Time-based split: the model is trained on the past and judged on the future, never shuffled.

import { fromLocalMinute } from "../core/time";
import type { FlightColumns } from "./columns";

export interface TimeSplit {
  train: Uint32Array;
  validation: Uint32Array;
  test: Uint32Array;
  /** Calendar months (`YYYY-MM`) in each part. */
  months: { train: string[]; validation: string; test: string };
}

/** Rows of months holding less than this share are folded into a neighbour instead of forming a split. */
const MIN_MONTH_SHARE = 0.01;

/**
 * Splits rows by scheduled month: the last full month is the test set, the month before it is the
 * validation set, and every earlier month is training. A sparse tail (such as a few flights scheduled
 * on the first day after the data ends) joins the test set rather than becoming a month of its own.
 */
export function splitByMonth(columns: FlightColumns): TimeSplit {
  const monthOfRow = new Array<string>(columns.length);
  const counts = new Map<string, number>();
  for (let i = 0; i < columns.length; i++) {
    const t = fromLocalMinute(columns.scheduledMinute[i]!);
    const month = `${t.year}-${String(t.month).padStart(2, "0")}`;
    monthOfRow[i] = month;
    counts.set(month, (counts.get(month) ?? 0) + 1);
  }

  const months = [...counts.keys()].sort();
  const substantial = months.filter((m) => counts.get(m)! >= MIN_MONTH_SHARE * columns.length);
  if (substantial.length < 3) {
    throw new Error(
      `the data covers ${substantial.length} month(s) with at least ${MIN_MONTH_SHARE * 100}% of the rows; ` +
        "a time split needs at least 3 (training, validation, test)",
    );
  }
  const test = substantial.at(-1)!;
  const validation = substantial.at(-2)!;

  const train: number[] = [];
  const validationRows: number[] = [];
  const testRows: number[] = [];
  for (let i = 0; i < columns.length; i++) {
    const month = monthOfRow[i]!;
    if (month >= test) testRows.push(i);
    else if (month === validation) validationRows.push(i);
    else train.push(i);
  }

  return {
    train: Uint32Array.from(train),
    validation: Uint32Array.from(validationRows),
    test: Uint32Array.from(testRows),
    months: { train: months.filter((m) => m < validation), validation, test },
  };
}

/** Groups training rows by month, for out-of-fold lookup tables. */
export function rowsByMonth(columns: FlightColumns, rows: Uint32Array): Map<string, Uint32Array> {
  const groups = new Map<string, number[]>();
  for (const i of rows) {
    const t = fromLocalMinute(columns.scheduledMinute[i]!);
    const month = `${t.year}-${String(t.month).padStart(2, "0")}`;
    let group = groups.get(month);
    if (!group) groups.set(month, (group = []));
    group.push(i);
  }
  return new Map([...groups].map(([month, list]) => [month, Uint32Array.from(list)]));
}
