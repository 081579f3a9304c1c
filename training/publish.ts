// Turns a finished pipeline run into a published model version: ONNX conversion, a parity check
// against XGBoost on every test row, the model card and the parity fixture.

import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import {
  type OnnxArtifact,
  convertModel,
  maxAbsDiff,
  parityRows,
  scoreWithOnnxRuntime,
  tablesSize,
  writeCurrentModule,
  writeModelVersion,
} from "./artifacts";
import { FEATURE_LIST, renderModelCard, type ModelCard } from "./model-card";
import type { ModelSpec } from "./model-spec";
import type { PipelineResult } from "./pipeline";
import type { Progress } from "./progress";

export interface PublishOptions {
  spec: ModelSpec;
  version: string;
  modelsDir: string;
  parityPath: string;
  parityRows: number;
  xgboostVersion: string;
  sourceLabel: string;
  sampleEvery: number;
  updateCurrent: boolean;
  progress: Progress;
}

/** Onnxruntime must agree with XGBoost this closely on every test row, or the model is not written. */
const PARITY_TOLERANCE = 1e-5;

export async function publishModel(result: PipelineResult, options: PublishOptions): Promise<ModelCard> {
  const { progress, spec, version } = options;
  const onnx = await progress.step("convert to ONNX", () => convertModel(result.model.modelJson, spec.name, version));

  const onnxPredictions = await progress.step("parity check (onnxruntime-node)", () =>
    scoreWithOnnxRuntime(onnx.bytes, result.test),
  );
  const parityDiff = maxAbsDiff(onnxPredictions, result.model.testPredictions);
  if (!(parityDiff <= PARITY_TOLERANCE)) {
    throw new Error(`ONNX and XGBoost predictions differ by up to ${parityDiff} on test rows (tolerance ${PARITY_TOLERANCE})`);
  }

  const card = buildCard(result, options, onnx, parityDiff);
  const folder = join(options.modelsDir, spec.name, version);
  await writeModelVersion(folder, onnx, result.tables, card, renderModelCard(card));
  if (options.updateCurrent) await writeCurrentModule(options.modelsDir, spec.name, version);

  const fixture = parityRows(result.columns, result.test, result.model.testPredictions, options.parityRows);
  await mkdir(dirname(options.parityPath), { recursive: true });
  await writeFile(
    options.parityPath,
    JSON.stringify({ model: { name: spec.name, version }, tolerance: PARITY_TOLERANCE, rows: fixture }) + "\n",
  );
  progress.info(`wrote ${folder} and ${fixture.length} parity rows to ${options.parityPath}`);

  await rm(result.workDir, { recursive: true, force: true });
  return card;
}

function buildCard(result: PipelineResult, options: PublishOptions, onnx: OnnxArtifact, parityDiff: number): ModelCard {
  const { spec, progress } = options;
  const { calibration, ...metrics } = result.evaluation;
  const xgboostSeconds = progress.timings.find((t) => t.step === "xgboost (scheduled time)")?.seconds ?? 0;
  return {
    name: spec.name,
    version: options.version,
    description: spec.description,
    createdAt: new Date().toISOString(),
    threshold: result.evaluation.threshold,
    thresholdRule: result.evaluation.thresholdRule,
    label: "arrival delay of 15 minutes or more (cancelled and diverted flights are left out)",
    scheduledTimeRule:
      "vega-datasets stores the actual departure time, so the scheduled time is reconstructed as actual departure minus the positive part of the arrival delay (the closest available estimate of the departure delay); raw BTS files give the scheduled time (CRSDepTime) directly.",
    data: {
      source: options.sourceLabel,
      report: result.readReport,
      excludedNoCoordinates: result.excludedNoLocation,
      excludedUnseenAirport: result.excludedUnseenAirport,
      sampleEvery: options.sampleEvery,
      split: {
        trainMonths: result.split.months.train,
        validationMonth: result.split.months.validation,
        testMonth: result.split.months.test,
        trainRows: result.split.train.length,
        validationRows: result.split.validation.length,
        testRows: result.split.test.length,
      },
    },
    features: FEATURE_LIST,
    training: {
      xgboostVersion: options.xgboostVersion,
      params: spec.params,
      rounds: result.model.rounds,
      smoothing: spec.smoothing,
      pipelineSeconds: Number(progress.totalSeconds().toFixed(1)),
      xgboostSeconds,
      steps: progress.timings,
      peakMemoryMiB: result.peakMemoryMiB,
    },
    metrics,
    calibration,
    baselines: result.baselines,
    leakage: result.leakage,
    artifact: {
      onnxBytes: onnx.bytes.length,
      onnxGzipBytes: onnx.gzipBytes,
      tablesBytes: tablesSize(result.tables),
      sha256: onnx.sha256,
    },
    parity: { rows: result.test.labels.length, maxAbsDiff: parityDiff, runtime: "onnxruntime-node" },
    limits: [
      "Trained on January–June 2001 flights: airports, routes, schedules and delay levels have changed since; retrain on recent BTS files before relying on it.",
      "No airline, aircraft, weather or holiday feature: the data set has none, so two flights on the same route and hour get the same answer.",
      "The scheduled time is reconstructed from the actual departure and the arrival delay (see above), so hour-of-day statistics carry some noise.",
      "Airports with no training flights are rejected (HTTP 422) rather than guessed.",
    ],
  };
}
