// One XGBoost run: write the matrices, train, and predict validation and test rows with the CLI.

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { FEATURE_COUNT } from "../core/features";
import type { Matrices } from "./matrices";
import type { ModelSpec } from "./model-spec";
import { readPredictions, runXGBoost, writeConfig, writeMatrixCsv } from "./xgboost";

export interface TrainedModel {
  /** XGBoost's JSON model text. */
  modelJson: string;
  validationPredictions: Float64Array;
  testPredictions: Float64Array;
  trainingSeconds: number;
  peakMemoryMiB: number | undefined;
  rounds: number;
}

export async function trainAndPredict(
  workDir: string,
  tag: string,
  matrices: Matrices,
  spec: ModelSpec,
  rounds: number | undefined,
  onLine: (line: string) => void,
): Promise<TrainedModel> {
  const file = (name: string) => join(workDir, `${tag}-${name}`);
  const csv = (name: string) => `${file(name)}.csv?format=csv&label_column=0`;
  const numRound = rounds ?? spec.rounds;

  await writeMatrixCsv(`${file("train")}.csv`, matrices.train.features, FEATURE_COUNT, matrices.train.labels);
  await writeMatrixCsv(`${file("validation")}.csv`, matrices.validation.features, FEATURE_COUNT, matrices.validation.labels);
  await writeMatrixCsv(`${file("test")}.csv`, matrices.test.features, FEATURE_COUNT, matrices.test.labels);
  await writeConfig(file("train.conf"), { ...spec.params, num_round: numRound, nthread: 2 });

  // The CLI prints the validation metric every round; only every 25th line is forwarded.
  const started = performance.now();
  const peak = await runXGBoost(
    [file("train.conf"), `data=${csv("train")}`, `eval[validation]=${csv("validation")}`, `model_out=${file("model.json")}`],
    (line) => {
      const round = Number(line.match(/\[(\d+)\]\s+validation/)?.[1]);
      if (!Number.isFinite(round) || round % 25 === 0 || round === numRound - 1) onLine(line);
    },
  );
  const trainingSeconds = (performance.now() - started) / 1000;

  const predict = async (name: string) => {
    await runXGBoost([
      file("train.conf"),
      "task=pred",
      `test:data=${csv(name)}`,
      `model_in=${file("model.json")}`,
      `name_pred=${file(name)}.pred`,
    ]);
    return readPredictions(`${file(name)}.pred`);
  };

  return {
    modelJson: await readFile(file("model.json"), "utf8"),
    validationPredictions: await predict("validation"),
    testPredictions: await predict("test"),
    trainingSeconds,
    peakMemoryMiB: peak,
    rounds: numRound,
  };
}
