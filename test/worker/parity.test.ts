// The edge model inside workerd, through the wasm adapter, against XGBoost's own predictions.

import { expect, it } from "vitest";
import { FEATURE_COUNT } from "../../core/features";
import { loadEdgeModel, scoreRows } from "../../worker/inference/edge-model";
import { card } from "../../models/edge/current";

interface ParityFixture {
  model: { name: string; version: string };
  tolerance: number;
  rows: Array<{ features: number[]; xgboost: number }>;
}

/** Loads the parity fixture that `npm run train` wrote with the version models/edge/current.ts bundles. */
async function loadBundledFixture(): Promise<ParityFixture> {
  const path = `../fixtures/parity/${card.name}-${card.version}.json`;
  try {
    return ((await import(path)) as { default: ParityFixture }).default;
  } catch (error) {
    throw new Error(`missing parity fixture ${path} for the bundled ${card.name} v${card.version}. npm run train -- --version ${card.version} writes it.`, { cause: error });
  }
}

it("workerd onnxruntime-web matches xgboost", async () => {
  const fixture = await loadBundledFixture();
  expect(fixture.model).toEqual({ name: card.name, version: card.version });
  const rows = fixture.rows;
  const features = new Float32Array(rows.length * FEATURE_COUNT);
  rows.forEach((row, r) => features.set(row.features, r * FEATURE_COUNT));

  const model = await loadEdgeModel();
  const scores = await scoreRows(model, features, rows.length);

  let max = 0;
  rows.forEach((row, r) => (max = Math.max(max, Math.abs(scores[r]! - row.xgboost))));
  expect(rows.length).toBeGreaterThanOrEqual(10_000);
  expect(max).toBeLessThanOrEqual(fixture.tolerance);
});
