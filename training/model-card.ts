// The model card: everything a reviewer needs to trust or question one model version, as JSON
// (read by the servers and tests) and as Markdown (read by people).

import { FEATURES } from "../core/features";
import type { CalibrationBin } from "./metrics";
import type { BaselineResult } from "./baselines";
import type { Evaluation } from "./evaluate";
import type { ReadReport } from "./data/types";
import type { StepTiming } from "./progress";
import type { XGBoostParams } from "./xgboost";

export interface ModelCard {
  name: string;
  version: string;
  description: string;
  createdAt: string;
  threshold: number;
  thresholdRule: string;
  label: string;
  scheduledTimeRule: string;
  data: {
    source: string;
    report: ReadReport;
    excludedNoCoordinates: number;
    excludedUnseenAirport: { validation: number; test: number };
    sampleEvery: number;
    split: { trainMonths: string[]; validationMonth: string; testMonth: string; trainRows: number; validationRows: number; testRows: number };
  };
  features: Array<{ name: string; meaning: string }>;
  training: {
    xgboostVersion: string;
    params: XGBoostParams;
    rounds: number;
    smoothing: number;
    pipelineSeconds: number;
    xgboostSeconds: number;
    steps: StepTiming[];
    peakMemoryMiB: { node: number; xgboost: number };
  };
  metrics: Omit<Evaluation, "calibration">;
  calibration: CalibrationBin[];
  baselines: BaselineResult[];
  leakage?: { actualTimeTestAuc: number; scheduledTimeTestAuc: number };
  artifact: { onnxBytes: number; onnxGzipBytes: number; tablesBytes: number; sha256: string };
  parity: { rows: number; maxAbsDiff: number; runtime: string };
  limits: string[];
}

export const FEATURE_LIST = FEATURES.map(([name, meaning]) => ({ name, meaning }));

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
const f4 = (x: number) => x.toFixed(4);

/** Renders the card as Markdown. */
export function renderModelCard(card: ModelCard): string {
  const m = card.metrics;
  const best = [...card.baselines].sort((a, b) => b.auc - a.auc)[0];
  const lines = [
    `# Model card: ${card.name} v${card.version}`,
    "",
    card.description,
    "",
    `Created ${card.createdAt} by \`npm run train\` with XGBoost ${card.training.xgboostVersion}.`,
    "",
    "## Task",
    `- Label: ${card.label}.`,
    `- Decision threshold: **${card.threshold}**, chosen by this rule: ${card.thresholdRule}.`,
    `- Scheduled departure time: ${card.scheduledTimeRule}`,
    "",
    "## Data",
    `- Source: ${card.data.source}`,
    ...Object.entries(card.data.report.sha256).map(([file, sha]) => `- SHA-256 of \`${file}\`: \`${sha}\``),
    `- Rows read: ${card.data.report.rowsRead.toLocaleString("en-US")}; accepted: ${card.data.report.rowsAccepted.toLocaleString("en-US")}; rejected by reason: ${JSON.stringify(card.data.report.rejected)}.`,
    `- Left out for lack of airport coordinates: ${card.data.excludedNoCoordinates.toLocaleString("en-US")}; validation/test rows left out because an airport had no training flights: ${card.data.excludedUnseenAirport.validation} / ${card.data.excludedUnseenAirport.test}.`,
    `- Sampling: every ${card.data.sampleEvery === 1 ? "row" : `${card.data.sampleEvery}th row`} kept.`,
    `- Split by scheduled month: training ${card.data.split.trainMonths.join(", ")} (${card.data.split.trainRows.toLocaleString("en-US")} rows), validation ${card.data.split.validationMonth} (${card.data.split.validationRows.toLocaleString("en-US")}), test ${card.data.split.testMonth} (${card.data.split.testRows.toLocaleString("en-US")}).`,
    "",
    "## Features",
    "Lookup tables (delay rates smoothed with pseudo-count " +
      `${card.training.smoothing}, traffic, coordinates) are computed on training rows only and ship as \`tables.json\`. ` +
      "Training rows use out-of-fold tables (each month encoded from the other training months).",
    "",
    "| # | feature | meaning |",
    "|---|---|---|",
    ...card.features.map((f, i) => `| ${i} | \`${f.name}\` | ${f.meaning} |`),
    "",
    "## Results on the test month",
    "| metric | validation | test |",
    "|---|---|---|",
    `| rows | ${m.validation.rows.toLocaleString("en-US")} | ${m.test.rows.toLocaleString("en-US")} |`,
    `| AUC | ${f4(m.validation.auc)} | ${f4(m.test.auc)} |`,
    `| log-loss | ${f4(m.validation.logLoss)} | ${f4(m.test.logLoss)} |`,
    `| Brier | ${f4(m.validation.brier)} | ${f4(m.test.brier)} |`,
    `| observed delay rate | ${pct(m.validation.observedRate)} | ${pct(m.test.observedRate)} |`,
    `| mean predicted probability | ${pct(m.validation.meanPredicted)} | ${pct(m.test.meanPredicted)} |`,
    "",
    `At the threshold, test precision ${f4(m.test.precision)}, recall ${f4(m.test.recall)}, F1 ${f4(m.test.f1)}.`,
    "",
    ...calibrationGap(card),
    "### Calibration by decile of the prediction (test)",
    "| decile | rows | mean predicted | observed |",
    "|---|---|---|---|",
    ...card.calibration.map((b) => `| ${b.decile} | ${b.rows.toLocaleString("en-US")} | ${pct(b.meanPredicted)} | ${pct(b.observedRate)} |`),
    "",
    "### Baselines (same test rows)",
    "Each baseline's smoothing pseudo-count is the one with the best validation AUC.",
    "",
    "| baseline | smoothing | AUC | log-loss | Brier |",
    "|---|---|---|---|---|",
    ...card.baselines.map(
      (b) => `| ${b.name}: ${b.description} | ${b.smoothing} | ${f4(b.auc)} | ${f4(b.logLoss)} | ${f4(b.brier)} |`,
    ),
    `| **model** | | **${f4(m.test.auc)}** | ${f4(m.test.logLoss)} | ${f4(m.test.brier)} |`,
    "",
    best ? `The model's test AUC is ${f4(m.test.auc - best.auc)} above the best baseline (${best.name}).` : "",
    "",
    ...leakageSection(card),
    "## Training",
    `- Rounds: ${card.training.rounds}; parameters: \`${JSON.stringify(card.training.params)}\`.`,
    `- Wall time: ${card.training.pipelineSeconds.toFixed(0)} s for the whole pipeline, of which XGBoost training ${card.training.xgboostSeconds.toFixed(0)} s.`,
    `- Peak memory: ${card.training.peakMemoryMiB.node} MiB (Node process) and ${card.training.peakMemoryMiB.xgboost} MiB (XGBoost process, sampled every 100 ms).`,
    "",
    "| step | seconds |",
    "|---|---|",
    ...card.training.steps.map((s) => `| ${s.step} | ${s.seconds} |`),
    "",
    "## Artifact",
    `- \`model.onnx\`: ${card.artifact.onnxBytes.toLocaleString("en-US")} bytes, ${card.artifact.onnxGzipBytes.toLocaleString("en-US")} gzipped, SHA-256 \`${card.artifact.sha256}\`.`,
    `- \`tables.json\`: ${card.artifact.tablesBytes.toLocaleString("en-US")} bytes.`,
    `- Parity: onnxruntime-node against XGBoost's own predictions on ${card.parity.rows.toLocaleString("en-US")} test rows, max absolute difference ${card.parity.maxAbsDiff.toExponential(2)}.`,
    "",
    "## Known limits",
    ...card.limits.map((limit) => `- ${limit}`),
    "",
  ];
  return lines.join("\n");
}

function calibrationGap(card: ModelCard): string[] {
  const gap = card.metrics.test.meanPredicted - card.metrics.test.observedRate;
  if (Math.abs(gap) <= 0.02) {
    return [`The mean predicted probability is within ${pct(Math.abs(gap))} of the observed test rate.`, ""];
  }
  return [
    `The mean predicted probability differs from the observed test rate by ${pct(gap)}. ` +
      `The model learns the delay level of the training months (${card.data.split.trainMonths.join(", ")}); ` +
      `a month with a different overall delay level shifts every prediction, which ranking (AUC) does not see.`,
    "",
  ];
}

function leakageSection(card: ModelCard): string[] {
  if (!card.leakage) return [];
  const { actualTimeTestAuc, scheduledTimeTestAuc } = card.leakage;
  return [
    "## Leakage check",
    "The same pipeline trained with time-of-day features from the actual departure time instead of the reconstructed scheduled time:",
    "",
    "| time basis | test AUC |",
    "|---|---|",
    `| actual departure (not available when serving) | ${f4(actualTimeTestAuc)} |`,
    `| scheduled departure (served) | ${f4(scheduledTimeTestAuc)} |`,
    "",
    `The difference, ${f4(actualTimeTestAuc - scheduledTimeTestAuc)} AUC, is what the actual departure time would add; most of it is leakage, because a late departure is part of a late arrival.`,
    "",
  ];
}
