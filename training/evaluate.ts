// Scores the model on validation and test rows and chooses its decision threshold on validation.

import type { Matrix } from "./matrix";
import {
  auc,
  brier,
  calibrationByDecile,
  chooseThresholdMaxF1,
  logLoss,
  mean,
  type CalibrationBin,
} from "./metrics";

export interface SplitMetrics {
  rows: number;
  auc: number;
  logLoss: number;
  brier: number;
  observedRate: number;
  meanPredicted: number;
}

export interface Evaluation {
  validation: SplitMetrics;
  test: SplitMetrics & { precision: number; recall: number; f1: number };
  threshold: number;
  thresholdRule: string;
  calibration: CalibrationBin[];
}

export function evaluate(validation: Matrix, validationPredictions: Float64Array, test: Matrix, testPredictions: Float64Array): Evaluation {
  const choice = chooseThresholdMaxF1(validation.labels, validationPredictions);
  // Four decimals are enough for a decision threshold and keep the served value readable.
  const threshold = Number(choice.threshold.toFixed(4));
  const atThreshold = confusion(test.labels, testPredictions, threshold);

  return {
    validation: metricsOf(validation.labels, validationPredictions),
    test: { ...metricsOf(test.labels, testPredictions), ...atThreshold },
    threshold,
    thresholdRule: `maximises F1 on the validation month (F1 ${choice.f1.toFixed(4)}, precision ${choice.precision.toFixed(4)}, recall ${choice.recall.toFixed(4)}), rounded to 4 decimals`,
    calibration: calibrationByDecile(test.labels, testPredictions),
  };
}

function metricsOf(labels: Uint8Array, predictions: Float64Array): SplitMetrics {
  return {
    rows: labels.length,
    auc: auc(labels, predictions),
    logLoss: logLoss(labels, predictions),
    brier: brier(labels, predictions),
    observedRate: mean(labels),
    meanPredicted: mean(predictions),
  };
}

function confusion(labels: Uint8Array, predictions: Float64Array, threshold: number) {
  let truePositives = 0;
  let predictedPositives = 0;
  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    const predicted = predictions[i]! >= threshold;
    positives += labels[i]!;
    if (predicted) predictedPositives++;
    if (predicted && labels[i]) truePositives++;
  }
  const precision = predictedPositives ? truePositives / predictedPositives : 0;
  const recall = positives ? truePositives / positives : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1 };
}
