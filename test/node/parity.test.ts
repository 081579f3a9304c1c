// Parity of the committed edge model: the serving feature path reproduces the training features,
// and onnxruntime-node and onnxruntime-web reproduce XGBoost's own predictions on June flights.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as ortNode from "onnxruntime-node";
import * as ortWeb from "onnxruntime-web";
import { describe, expect, it } from "vitest";
import { FEATURE_COUNT, toFeatures } from "../../core/features";
import { canonicalizeFlight } from "../../core/flight";
import { compileTables, type LookupTables } from "../../core/tables";
import type { ParityRow } from "../../training/artifacts";

interface ParityFixture {
  model: { name: string; version: string };
  tolerance: number;
  rows: ParityRow[];
}

const fixture = JSON.parse(readFileSync("test/fixtures/parity/edge-1.json", "utf8")) as ParityFixture;
const folder = join("models", fixture.model.name, fixture.model.version);
const onnx = readFileSync(join(folder, "model.onnx"));
const tables = compileTables(JSON.parse(readFileSync(join(folder, "tables.json"), "utf8")) as LookupTables);
const rows = fixture.rows;

const storedFeatures = new Float32Array(rows.length * FEATURE_COUNT);
rows.forEach((row, r) => storedFeatures.set(row.features, r * FEATURE_COUNT));

function maxAbsDiff(scores: Float32Array): { max: number; row: number } {
  let max = 0;
  let row = -1;
  rows.forEach((r, i) => {
    const diff = Math.abs(scores[i * 2 + 1]! - r.xgboost);
    if (diff > max) [max, row] = [diff, i];
  });
  return { max, row };
}

describe("edge model parity", () => {
  it("fixture has at least 10,000 rows", () => {
    expect(rows.length).toBeGreaterThanOrEqual(10_000);
  });

  it("serving features equal training features", () => {
    let mismatches = 0;
    let firstMismatch = "";
    rows.forEach((row, r) => {
      const result = canonicalizeFlight(
        { origin: row.origin, destination: row.destination, departure: row.departure, distance_miles: row.distance_miles },
        tables,
        "edge",
      );
      if (!result.ok) throw new Error(`row ${r} rejected: ${JSON.stringify(result.problems)}`);
      const served = toFeatures(tables, result.flight);
      const stored = storedFeatures.subarray(r * FEATURE_COUNT, (r + 1) * FEATURE_COUNT);
      if (served.some((v, f) => v !== stored[f])) {
        mismatches++;
        firstMismatch ||= `row ${r}: served ${[...served]} stored ${[...stored]}`;
      }
    });
    expect(firstMismatch).toBe("");
    expect(mismatches).toBe(0);
  });

  it("onnxruntime-node matches xgboost", async () => {
    const session = await ortNode.InferenceSession.create(onnx);
    const input = new ortNode.Tensor("float32", storedFeatures, [rows.length, FEATURE_COUNT]);
    const output = await session.run({ features: input });
    const { max, row } = maxAbsDiff(output.probabilities!.data as Float32Array);
    expect(max, `max abs diff at row ${row}`).toBeLessThanOrEqual(fixture.tolerance);
    await session.release();
  });

  it("onnxruntime-web matches xgboost", async () => {
    ortWeb.env.wasm.numThreads = 1;
    const session = await ortWeb.InferenceSession.create(new Uint8Array(onnx));
    const input = new ortWeb.Tensor("float32", storedFeatures, [rows.length, FEATURE_COUNT]);
    const output = await session.run({ features: input });
    const { max, row } = maxAbsDiff(output.probabilities!.data as Float32Array);
    expect(max, `max abs diff at row ${row}`).toBeLessThanOrEqual(fixture.tolerance);
    await session.release();
  });
});

describe("full model parity", () => {
  const full = JSON.parse(readFileSync("test/fixtures/parity/full-2.json", "utf8")) as ParityFixture;
  const fullFolder = join("models", full.model.name, full.model.version);

  it("full model matches xgboost in onnxruntime-node", async () => {
    const features = new Float32Array(full.rows.length * FEATURE_COUNT);
    full.rows.forEach((row, r) => features.set(row.features, r * FEATURE_COUNT));
    const session = await ortNode.InferenceSession.create(readFileSync(join(fullFolder, "model.onnx")));
    const output = await session.run({ features: new ortNode.Tensor("float32", features, [full.rows.length, FEATURE_COUNT]) });
    const scores = output.probabilities!.data as Float32Array;
    let max = 0;
    full.rows.forEach((row, r) => (max = Math.max(max, Math.abs(scores[r * 2 + 1]! - row.xgboost))));
    expect(full.rows.length).toBeGreaterThanOrEqual(10_000);
    expect(max).toBeLessThanOrEqual(full.tolerance);
    await session.release();
  });
});
