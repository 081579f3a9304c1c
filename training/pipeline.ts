// The training pipeline: read flights, split by time, build lookup tables and feature matrices,
// train with XGBoost, evaluate against baselines, convert to ONNX and write the model repository.

import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LookupTables } from "../core/tables";
import { FlightColumnsBuilder, type FlightColumns } from "./columns";
import { loadAirportLocations } from "./locations";
import { readSource, type SourceOptions } from "./source";
import type { Matrix } from "./matrix";
import { buildMatrices } from "./matrices";
import type { ModelSpec } from "./model-spec";
import { Progress, peakRssMiB } from "./progress";
import { splitByMonth, type TimeSplit } from "./split";
import { trainAndPredict, type TrainedModel } from "./train-xgboost";
import { evaluate, type Evaluation } from "./evaluate";
import { auc } from "./metrics";
import { scoreBaselines, type BaselineResult } from "./baselines";
import type { ReadReport } from "./data/types";

export interface PipelineOptions {
  source: SourceOptions;
  airportsPath: string;
  spec: ModelSpec;
  /** Overrides the spec's number of boosting rounds (the fast test uses a few). */
  rounds?: number;
  /** Keeps every n-th accepted flight, for quick runs. */
  sampleEvery?: number;
  /** Also trains on the actual departure time to measure the leakage it adds. */
  leakageComparison: boolean;
  progress: Progress;
}

export interface PipelineResult {
  columns: FlightColumns;
  split: TimeSplit;
  readReport: ReadReport;
  excludedNoLocation: number;
  /** Validation and test rows left out because an airport had no training flights. */
  excludedUnseenAirport: { validation: number; test: number };
  tables: LookupTables;
  test: Matrix;
  model: TrainedModel;
  evaluation: Evaluation;
  baselines: BaselineResult[];
  leakage?: { actualTimeTestAuc: number; scheduledTimeTestAuc: number };
  peakMemoryMiB: { node: number; xgboost: number };
  workDir: string;
}

export async function runPipeline(options: PipelineOptions): Promise<PipelineResult> {
  const { progress, spec } = options;
  const workDir = await mkdtemp(join(tmpdir(), "flight-delay-train-"));
  progress.info(`work folder ${workDir}`);

  const locations = await progress.step("read airports", () => loadAirportLocations(options.airportsPath));

  const { columns, report, excludedNoLocation } = await progress.step("read flights", async () => {
    const builder = new FlightColumnsBuilder();
    let excluded = 0;
    let accepted = 0;
    const every = options.sampleEvery ?? 1;
    const readReport = await readSource(
      options.source,
      (record) => {
        if (!locations.has(record.origin) || !locations.has(record.destination)) {
          excluded++;
          return;
        }
        if (accepted++ % every === 0) builder.add(record);
      },
      (rowsRead) => progress.info(`  read ${rowsRead.toLocaleString("en-US")} rows`),
    );
    return { columns: builder.build(), report: readReport, excludedNoLocation: excluded };
  });
  progress.info(
    `accepted ${report.rowsAccepted.toLocaleString("en-US")} of ${report.rowsRead.toLocaleString("en-US")} rows; ` +
      `rejected ${JSON.stringify(report.rejected)}; ${excludedNoLocation} without airport coordinates; ` +
      `${columns.length.toLocaleString("en-US")} kept`,
  );

  const split = await progress.step("split by month", () => splitByMonth(columns));
  progress.info(
    `train ${split.months.train.join(", ")} (${split.train.length}), validation ${split.months.validation} ` +
      `(${split.validation.length}), test ${split.months.test} (${split.test.length})`,
  );

  const honest = await progress.step("features (scheduled time)", () =>
    buildMatrices(columns, split, locations, spec.smoothing, "scheduled"),
  );
  const model = await progress.step("xgboost (scheduled time)", () =>
    trainAndPredict(workDir, "scheduled", honest, spec, options.rounds, (line) => progress.info(`  ${line}`)),
  );

  let leakyTestAuc: number | undefined;
  let leakyPeak = 0;
  if (options.leakageComparison) {
    const leaky = await progress.step("features (actual departure time)", () =>
      buildMatrices(columns, split, locations, spec.smoothing, "actual"),
    );
    const leakyModel = await progress.step("xgboost (actual departure time)", () =>
      trainAndPredict(workDir, "actual", leaky, spec, options.rounds, () => {}),
    );
    leakyPeak = leakyModel.peakMemoryMiB ?? 0;
    leakyTestAuc = auc(leaky.test.labels, leakyModel.testPredictions);
  }

  const evaluation = await progress.step("evaluate", () =>
    evaluate(honest.validation, model.validationPredictions, honest.test, model.testPredictions),
  );
  const baselines = await progress.step("baselines", () =>
    scoreBaselines(columns, split.train, split.validation, split.test),
  );

  return {
    columns,
    split,
    readReport: report,
    excludedNoLocation,
    excludedUnseenAirport: honest.excludedUnseenAirport,
    tables: honest.tables,
    test: honest.test,
    model,
    evaluation,
    baselines,
    leakage:
      leakyTestAuc === undefined
        ? undefined
        : { actualTimeTestAuc: leakyTestAuc, scheduledTimeTestAuc: evaluation.test.auc },
    peakMemoryMiB: { node: peakRssMiB(), xgboost: Math.max(model.peakMemoryMiB ?? 0, leakyPeak) },
    workDir,
  };
}
