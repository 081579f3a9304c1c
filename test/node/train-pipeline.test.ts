// End-to-end runs of `npm run train` on small samples. They need XGBoost's command-line program
// (`apt-get install xgboost`), which .ci/run installs; elsewhere they are skipped.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FEATURE_COUNT } from "../../core/features";
import { fromLocalMinute } from "../../core/time";
import { readVegaFlights } from "../../training/data/vega";
import type { FlightRecord } from "../../training/data/types";

const hasXGBoost = spawnSync("xgboost", ["--version"]).status === 0;
const work = mkdtempSync(join(tmpdir(), "train-test-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function train(args: string[], env: Record<string, string> = {}) {
  return spawnSync("npx", ["tsx", "training/cli.ts", ...args], {
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 240_000,
  });
}

interface Card {
  name: string;
  version: string;
  threshold: number;
  data: { source: string; report: { rowsRead: number; rowsAccepted: number; rejected: Record<string, number> } };
  features: unknown[];
  metrics: { test: { auc: number; rows: number } };
  baselines: Array<{ name: string; auc: number }>;
  leakage?: { actualTimeTestAuc: number; scheduledTimeTestAuc: number };
  parity: { maxAbsDiff: number };
  training: { rounds: number };
}

describe.skipIf(!hasXGBoost)("train pipeline with xgboost", () => {
  it("train writes a model version from vega sample", () => {
    const out = join(work, "vega");
    const result = train([
      "--sample-every", "100", "--rounds", "10", "--version", "9",
      "--out", out, "--no-current", "--parity-out", join(out, "parity.json"), "--parity-rows", "200",
    ]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain("read 3,000,000 rows");

    const folder = join(out, "edge", "9");
    for (const file of ["model.onnx", "tables.json", "model-card.json", "model-card.md"]) {
      expect(existsSync(join(folder, file)), file).toBe(true);
    }
    const card = JSON.parse(readFileSync(join(folder, "model-card.json"), "utf8")) as Card;
    expect(card.version).toBe("9");
    expect(card.training.rounds).toBe(10);
    expect(card.features).toHaveLength(FEATURE_COUNT);
    expect(card.data.report.rowsRead).toBe(3_000_000);
    expect(card.metrics.test.auc).toBeGreaterThan(0.55);
    expect(card.parity.maxAbsDiff).toBeLessThanOrEqual(1e-5);
    expect(card.leakage?.actualTimeTestAuc).toBeGreaterThan(card.leakage!.scheduledTimeTestAuc);
    expect(card.baselines.map((b) => b.name)).toEqual(["constant_rate", "route_rate", "route_hour_rate"]);
    expect(existsSync(join(out, "edge", "current.ts"))).toBe(false);

    const parity = JSON.parse(readFileSync(join(out, "parity.json"), "utf8")) as { rows: unknown[] };
    expect(parity.rows).toHaveLength(200);
  });

  it("train reads a folder of BTS CSV files", async () => {
    const dir = join(work, "bts-input");
    const written = await writeBtsSample(dir);
    const out = join(work, "bts");
    const result = train([
      "--bts-dir", dir, "--rounds", "5", "--no-leakage-check",
      "--out", out, "--no-current", "--parity-out", join(out, "parity.json"), "--parity-rows", "50",
    ]);
    expect(result.status, result.stderr).toBe(0);

    const card = JSON.parse(readFileSync(join(out, "edge", "1", "model-card.json"), "utf8")) as Card;
    expect(card.data.source).toContain("BTS On-Time CSV");
    expect(card.data.report.rowsRead).toBe(written.rows);
    expect(card.data.report.rejected.cancelled).toBe(written.cancelled);
    expect(card.data.report.rowsAccepted).toBe(written.rows - written.cancelled);
    expect(card.leakage).toBeUndefined();
  });
});

describe("train command errors", () => {
  it("train explains a missing xgboost", () => {
    const result = train(["--out", join(work, "none")], { XGBOOST_BIN: "/nonexistent/xgboost" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("apt-get install xgboost");
  });

  it("train refuses to overwrite a version", () => {
    const result = train(["--out", "models", "--version", "1"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("already exists");
    expect(result.stderr).toContain("--overwrite");
  });

  it("train rejects an unknown model name", () => {
    const result = train(["--model", "huge"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("unknown --model huge");
  });
});

/**
 * Writes every 150th vega flight as monthly BTS On-Time CSV files (scheduled time in CRSDepTime),
 * plus one cancelled flight per file, which the reader must count and leave out.
 */
async function writeBtsSample(dir: string): Promise<{ rows: number; cancelled: number }> {
  mkdirSync(dir, { recursive: true });
  const byMonth = new Map<string, string[]>();
  let index = 0;
  const header = '"FlightDate","Reporting_Airline","Origin","Dest","CRSDepTime","ArrDelay","Cancelled","Diverted","Distance",';
  const line = (r: FlightRecord, cancelled: boolean) => {
    const t = fromLocalMinute(r.scheduledMinute);
    const date = `${t.year}-${String(t.month).padStart(2, "0")}-${String(t.day).padStart(2, "0")}`;
    const time = `${String(t.hour).padStart(2, "0")}${String(t.minute).padStart(2, "0")}`;
    const delay = cancelled ? "" : r.arrivalDelayMinutes.toFixed(2);
    return `${date},"XX","${r.origin}","${r.destination}","${time}",${delay},${cancelled ? "1.00" : "0.00"},0.00,${r.distanceMiles.toFixed(2)},`;
  };

  await readVegaFlights({ path: "node_modules/vega-datasets/data/flights-3m.parquet" }, (record) => {
    if (index++ % 150 !== 0) return;
    const t = fromLocalMinute(record.scheduledMinute);
    const month = `${t.year}_${t.month}`;
    if (!byMonth.has(month)) byMonth.set(month, [header, line(record, true)]);
    byMonth.get(month)!.push(line(record, false));
  });

  let rows = 0;
  for (const [month, lines] of byMonth) {
    writeFileSync(join(dir, `On_Time_${month}.csv`), lines.join("\r\n") + "\r\n");
    rows += lines.length - 1;
  }
  return { rows, cancelled: byMonth.size };
}

