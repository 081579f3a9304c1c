// Runs the XGBoost 1.7 command-line program (Debian package `xgboost`). Training data goes through
// CSV files because that is what the CLI reads. The feature module keeps every value short enough
// (integers, 6 significant digits) for the CSV text to parse back to the exact float32.

import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { once } from "node:events";
import { childPeakRssMiB } from "./progress";

export const XGBOOST_BIN = process.env.XGBOOST_BIN ?? "xgboost";

/** XGBoost parameters as written to its config file. */
export type XGBoostParams = Record<string, string | number>;

/** Writes a label-first CSV for the CLI (`?format=csv&label_column=0`). */
export async function writeMatrixCsv(
  path: string,
  features: Float32Array,
  featureCount: number,
  labels: Uint8Array,
): Promise<void> {
  const out = createWriteStream(path);
  const rows = labels.length;
  const chunkRows = 20_000;
  for (let start = 0; start < rows; start += chunkRows) {
    const lines: string[] = [];
    const end = Math.min(rows, start + chunkRows);
    for (let r = start; r < end; r++) {
      const cells = [String(labels[r])];
      for (let f = 0; f < featureCount; f++) cells.push(formatFloat32(features[r * featureCount + f]!));
      lines.push(cells.join(","));
    }
    if (!out.write(lines.join("\n") + "\n")) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

/** Shortest decimal text that parses back to the same float32 (integers stay integers). */
export function formatFloat32(value: number): string {
  if (Number.isInteger(value)) return String(value);
  for (let digits = 6; digits <= 9; digits++) {
    const text = value.toPrecision(digits);
    if (Math.fround(Number(text)) === value) return String(Number(text));
  }
  return value.toPrecision(9);
}

export async function writeConfig(path: string, params: XGBoostParams): Promise<void> {
  const lines = Object.entries(params).map(([key, value]) => `${key} = ${value}`);
  await writeFile(path, lines.join("\n") + "\n");
}

/**
 * Runs the CLI with `args` (key=value pairs), forwarding its evaluation lines to `onLine`.
 * Returns the child's peak resident memory in MiB when /proc can tell it.
 */
export async function runXGBoost(args: string[], onLine: (line: string) => void = () => {}): Promise<number | undefined> {
  const child = spawn(XGBOOST_BIN, args, { stdio: ["ignore", "pipe", "pipe"] });
  let peakMiB: number | undefined;
  const sampler = setInterval(() => {
    if (child.pid !== undefined) peakMiB = childPeakRssMiB(child.pid) ?? peakMiB;
  }, 100);
  let tail = "";
  const forward = (chunk: Buffer) => {
    const text = tail + chunk.toString();
    const lines = text.split("\n");
    tail = lines.pop() ?? "";
    for (const line of lines) if (line.trim()) onLine(line.trim());
  };
  child.stdout.on("data", forward);
  child.stderr.on("data", forward);

  const [code, error] = await new Promise<[number | null, Error | undefined]>((resolve) => {
    child.on("error", (err) => resolve([null, err]));
    child.on("close", (exitCode) => resolve([exitCode, undefined]));
  });
  clearInterval(sampler);
  if (error) {
    throw new Error(
      `could not run ${XGBOOST_BIN}: ${error.message}. Install XGBoost 1.7 with 'apt-get install xgboost' or set XGBOOST_BIN.`,
      { cause: error },
    );
  }
  if (code !== 0) throw new Error(`${XGBOOST_BIN} exited with code ${code}; last output: ${tail}`);
  return peakMiB;
}

/** Reads the CLI's prediction file: one probability per line. */
export async function readPredictions(path: string): Promise<Float64Array> {
  const text = await readFile(path, "utf8");
  const lines = text.split("\n").filter((line) => line.length > 0);
  return Float64Array.from(lines, Number);
}

/** Returns the XGBoost version printed by the CLI, or undefined when it cannot be run. */
export async function xgboostVersion(): Promise<string | undefined> {
  const lines: string[] = [];
  try {
    await runXGBoost(["--version"], (line) => lines.push(line));
  } catch {
    return undefined;
  }
  return lines.join(" ").match(/\d+\.\d+\.\d+/)?.[0];
}
