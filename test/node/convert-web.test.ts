// Runs the converted fixture models through onnxruntime-web (its Node build, single-threaded WebAssembly),
// the runtime that serves predictions, and compares them with the XGBoost 1.7.4 CLI predictions.

import * as ort from "onnxruntime-web";
import { beforeAll, describe, expect, it } from "vitest";
import { FEATURES_INPUT, LABEL_OUTPUT, PROBABILITIES_OUTPUT, convertXGBoostToOnnx } from "../../training/onnx/convert";
import { FIXTURE_FEATURE_NAMES, loadFixture, type FixtureName } from "../fixtures/xgboost-small/fixture";

/** Allowed |P_onnx - P_xgboost|, the same as in convert.test.ts. */
const PARITY_TOLERANCE = 1e-6;

beforeAll(() => {
  ort.env.wasm.numThreads = 1;
});

describe("convertXGBoostToOnnx in onnxruntime-web", () => {
  it.each<FixtureName>(["train", "positive-leaves", "pruned"])("web matches xgboost on %s rows", async (name) => {
    const fixture = loadFixture(name);
    const bytes = convertXGBoostToOnnx(fixture.model, { featureNames: FIXTURE_FEATURE_NAMES });
    const session = await ort.InferenceSession.create(bytes);
    const input = new ort.Tensor("float32", fixture.features, [fixture.rowCount, fixture.featureCount]);
    const outputs = await session.run({ [FEATURES_INPUT]: input });
    const probabilities = outputs[PROBABILITIES_OUTPUT]!.data as Float32Array;

    let maxDifference = 0;
    let maxRow = 0;
    fixture.xgboostProbabilities.forEach((expected, row) => {
      const difference = Math.abs(probabilities[2 * row + 1]! - expected);
      if (difference > maxDifference) {
        maxDifference = difference;
        maxRow = row;
      }
    });

    expect(outputs[LABEL_OUTPUT]!.dims).toEqual([fixture.rowCount]);
    expect(outputs[PROBABILITIES_OUTPUT]!.dims).toEqual([fixture.rowCount, 2]);
    expect(maxDifference, `max |onnx - xgboost| = ${maxDifference} at row ${maxRow}`).toBeLessThanOrEqual(
      PARITY_TOLERANCE,
    );
  });
});
