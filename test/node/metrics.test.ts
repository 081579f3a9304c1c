import { describe, expect, it } from "vitest";
import { auc, brier, calibrationByDecile, chooseThresholdMaxF1, logLoss } from "../../training/metrics";

const labels = Uint8Array.from([0, 0, 1, 1]);

describe("metrics", () => {
  it("auc is 1 for a perfect ranking", () => {
    expect(auc(labels, [0.1, 0.2, 0.8, 0.9])).toBe(1);
  });

  it("auc counts ties as half", () => {
    expect(auc(labels, [0.5, 0.5, 0.5, 0.5])).toBe(0.5);
    // One positive tied with one negative: 3 wins + 0.5 of 4 pairs.
    expect(auc(labels, [0.1, 0.6, 0.6, 0.9])).toBe(0.875);
  });

  it("auc is NaN with one class", () => {
    expect(auc(Uint8Array.from([1, 1]), [0.2, 0.3])).toBeNaN();
  });

  it("logLoss and brier match hand values", () => {
    expect(logLoss(Uint8Array.from([1, 0]), [0.5, 0.5])).toBeCloseTo(Math.log(2), 12);
    expect(brier(Uint8Array.from([1, 0]), [0.75, 0.25])).toBeCloseTo(0.0625, 12);
  });

  it("calibration bins hold equal counts", () => {
    const n = 1000;
    const probabilities = Float64Array.from({ length: n }, (_, i) => i / n);
    const bins = calibrationByDecile(new Uint8Array(n), probabilities);
    expect(bins).toHaveLength(10);
    expect(bins.every((b) => b.rows === 100)).toBe(true);
    expect(bins[0]!.meanPredicted).toBeCloseTo(0.0495, 10);
  });

  it("threshold maximises F1", () => {
    const choice = chooseThresholdMaxF1(Uint8Array.from([0, 1, 0, 1, 1]), [0.1, 0.4, 0.35, 0.8, 0.9]);
    // Predicting the top 3 (>= 0.4) gives precision 1 and recall 1.
    expect(choice.threshold).toBe(0.4);
    expect(choice.f1).toBe(1);
  });
});
