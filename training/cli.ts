// `npm run train`: trains a model with XGBoost and writes it into the model repository.
//
//   npm run train                                  # edge model on vega-datasets' flights-3m.parquet
//   npm run train -- --bts-dir ./bts-2023          # retrain on raw BTS On-Time CSV files
//   npm run train -- --sample-every 100 --rounds 10 --out /tmp/models   # quick run

import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { MODEL_SPECS } from "./model-spec";
import { Progress } from "./progress";
import { runPipeline } from "./pipeline";
import { xgboostVersion } from "./xgboost";
import { publishModel } from "./publish";

const USAGE = `Usage: npm run train -- [options]

  --model NAME          model to train: ${Object.keys(MODEL_SPECS).join(", ")} (default edge)
  --version VERSION     version folder to write (default 1)
  --bts-dir DIR         train on a folder of BTS On-Time CSV files instead of vega-datasets
  --parquet FILE        vega-datasets flights parquet file (default: the installed package's flights-3m.parquet)
  --airports FILE       airports CSV with iata,latitude,longitude (default: vega-datasets' airports.csv)
  --out DIR             model repository folder (default models)
  --rounds N            boosting rounds (default: the model's own)
  --sample-every N      keep every N-th flight, for quick runs (default 1)
  --parity-rows N       test rows stored in the parity fixture (default 10000)
  --parity-out FILE     parity fixture path (default test/fixtures/parity/<model>-<version>.json)
  --no-leakage-check    skip the second training run on actual departure times
  --no-current          do not point models/<model>/current.ts at this version
  --overwrite           replace an existing version folder (versions are otherwise immutable,
                        because caches key predictions by model name and version)
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: "string", default: "edge" },
      version: { type: "string", default: "1" },
      "bts-dir": { type: "string" },
      parquet: { type: "string" },
      airports: { type: "string" },
      out: { type: "string", default: "models" },
      rounds: { type: "string" },
      "sample-every": { type: "string", default: "1" },
      "parity-rows": { type: "string", default: "10000" },
      "parity-out": { type: "string" },
      "no-leakage-check": { type: "boolean", default: false },
      "no-current": { type: "boolean", default: false },
      overwrite: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }

  const spec = MODEL_SPECS[values.model];
  if (!spec) throw new Error(`unknown --model ${values.model}; expected one of ${Object.keys(MODEL_SPECS).join(", ")}`);
  const versionFolder = resolve(values.out, spec.name, values.version);
  if (existsSync(versionFolder) && !values.overwrite) {
    throw new Error(
      `${versionFolder} already exists. Model versions are immutable because caches key predictions by version: ` +
        "pass a new --version, or --overwrite if this version was never served.",
    );
  }
  const version = await xgboostVersion();
  if (!version) {
    throw new Error("XGBoost's command-line program was not found. Install it with 'sudo apt-get install xgboost' (Debian/Ubuntu) or set XGBOOST_BIN.");
  }

  // vega-datasets exports no package.json, so its data folder is found from the project root.
  const vegaData = resolve("node_modules", "vega-datasets", "data");
  const progress = new Progress();
  const result = await runPipeline({
    source: values["bts-dir"]
      ? { kind: "bts", dir: resolve(values["bts-dir"]) }
      : { kind: "vega", path: resolve(values.parquet ?? join(vegaData, "flights-3m.parquet")) },
    airportsPath: resolve(values.airports ?? join(vegaData, "airports.csv")),
    spec,
    rounds: positiveInt(values.rounds, "--rounds"),
    sampleEvery: positiveInt(values["sample-every"], "--sample-every"),
    leakageComparison: !values["no-leakage-check"],
    progress,
  });

  const parityOut = values["parity-out"] ?? join("test", "fixtures", "parity", `${spec.name}-${values.version}.json`);
  const card = await publishModel(result, {
    spec,
    version: values.version,
    modelsDir: resolve(values.out),
    parityPath: resolve(parityOut),
    parityRows: positiveInt(values["parity-rows"], "--parity-rows") ?? 10_000,
    xgboostVersion: version,
    sourceLabel: values["bts-dir"] ? `BTS On-Time CSV files in ${values["bts-dir"]}` : "vega-datasets flights-3m.parquet",
    sampleEvery: positiveInt(values["sample-every"], "--sample-every") ?? 1,
    updateCurrent: spec.bundledInWorker && !values["no-current"],
    progress,
  });
  progress.info(
    `model ${card.name} v${card.version}: test AUC ${card.metrics.test.auc.toFixed(4)}, threshold ${card.threshold}, ` +
      `ONNX ${card.artifact.onnxGzipBytes} bytes gzipped, parity max diff ${card.parity.maxAbsDiff.toExponential(2)}`,
  );
}

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer, got "${value}"`);
  return n;
}

main().catch((error: unknown) => {
  process.stderr.write(`train failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
