// Evaluation metrics for binary probabilities. AUC counts tied scores as half, so that coarse
// baselines (a rate per route) are scored fairly against the model.

export interface CalibrationBin {
  decile: number;
  rows: number;
  meanPredicted: number;
  observedRate: number;
}

/** Area under the ROC curve (Mann–Whitney U with ties averaged). */
export function auc(labels: Uint8Array, scores: ArrayLike<number>): number {
  const n = labels.length;
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let rankSum = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const meanRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k]!]) {
        positives++;
        rankSum += meanRank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Mean binary cross-entropy, with probabilities clipped away from 0 and 1. */
export function logLoss(labels: Uint8Array, probabilities: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(1 - 1e-15, Math.max(1e-15, probabilities[i]!));
    sum -= labels[i] ? Math.log(p) : Math.log(1 - p);
  }
  return sum / labels.length;
}

/** Mean squared error of the probabilities. */
export function brier(labels: Uint8Array, probabilities: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < labels.length; i++) sum += (probabilities[i]! - labels[i]!) ** 2;
  return sum / labels.length;
}

export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

/** Mean predicted probability and observed rate in ten equal-count bins of the prediction. */
export function calibrationByDecile(labels: Uint8Array, probabilities: ArrayLike<number>): CalibrationBin[] {
  const n = labels.length;
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => probabilities[a]! - probabilities[b]!);
  const bins: CalibrationBin[] = [];
  for (let decile = 0; decile < 10; decile++) {
    const start = Math.floor((decile * n) / 10);
    const end = Math.floor(((decile + 1) * n) / 10);
    let predicted = 0;
    let observed = 0;
    for (let k = start; k < end; k++) {
      predicted += probabilities[order[k]!]!;
      observed += labels[order[k]!]!;
    }
    const rows = end - start;
    bins.push({ decile: decile + 1, rows, meanPredicted: predicted / rows, observedRate: observed / rows });
  }
  return bins;
}

export interface ThresholdChoice {
  threshold: number;
  f1: number;
  precision: number;
  recall: number;
}

/**
 * Chooses the decision threshold that maximises F1 on validation rows. F1 suits a minority label
 * (about one flight in five is late), where accuracy would favour predicting "on time" for all.
 */
export function chooseThresholdMaxF1(labels: Uint8Array, probabilities: ArrayLike<number>): ThresholdChoice {
  const n = labels.length;
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => probabilities[b]! - probabilities[a]!);
  let positives = 0;
  for (let i = 0; i < n; i++) positives += labels[i]!;

  let best: ThresholdChoice = { threshold: 1, f1: 0, precision: 0, recall: 0 };
  let truePositives = 0;
  for (let k = 0; k < n; k++) {
    truePositives += labels[order[k]!]!;
    const next = order[k + 1];
    // Only a boundary between distinct scores is a threshold that can be applied.
    if (next !== undefined && probabilities[next] === probabilities[order[k]!]) continue;
    const precision = truePositives / (k + 1);
    const recall = truePositives / positives;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    if (f1 > best.f1) best = { threshold: probabilities[order[k]!]!, f1, precision, recall };
  }
  return best;
}
