// Replays the first rows of the parity fixture through a local Worker (wrangler dev --local on
// 127.0.0.1) over HTTP, and checks that every served probability matches XGBoost's own.

import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOAD_TEST_SETTINGS, runConcurrently, startLocalWorker, type LocalWorker } from "../../scripts/lib/local-worker";

const ROWS = 300;
const CONCURRENCY = 8;
/** Covers the wrangler start-up, the D1 migration and 300 requests. The first /predict also creates the ONNX session. */
const SETUP_TIMEOUT_MS = 120_000;
/**
 * Allowed |served − XGBoost|. The Worker rounds to 6 decimals (at most 5e-7 off), onnxruntime-node
 * differs from XGBoost by at most 3.9e-7 on the June rows (parity in the model card), and
 * test/node/parity.test.ts checks onnxruntime-web against the same 1e-5.
 */
const MAX_PROBABILITY_DIFF = 1e-5;

interface FixtureRow {
  origin: string;
  destination: string;
  departure: string;
  distance_miles: number;
  xgboost: number;
}

interface ParityFixture {
  model: { name: string; version: string };
  rows: FixtureRow[];
}

interface Served {
  status: number;
  body: {
    delay_probability?: number;
    is_delayed?: boolean;
    threshold?: number;
    served_by?: string;
    model?: { name: string; version: string };
  };
}

/** The model card of the edge version that models/edge/current.ts bundles into the Worker. */
function bundledEdgeCard(): { name: string; version: string } {
  const current = readFileSync("models/edge/current.ts", "utf8");
  const folder = /from "\.\/(\d+)\/model-card\.json"/.exec(current)?.[1];
  if (!folder) throw new Error("models/edge/current.ts has no import of ./<version>/model-card.json. Restore it from git or rerun npm run train.");
  return JSON.parse(readFileSync(`models/edge/${folder}/model-card.json`, "utf8")) as { name: string; version: string };
}

const card = bundledEdgeCard();
// `npm run train` writes this fixture with the version it points models/edge/current.ts at.
const fixture = JSON.parse(readFileSync(`test/fixtures/parity/${card.name}-${card.version}.json`, "utf8")) as ParityFixture;
const rows = fixture.rows.slice(0, ROWS);

let worker: LocalWorker | undefined;
const served: Served[] = new Array(rows.length);

beforeAll(async () => {
  worker = await startLocalWorker({ ...LOAD_TEST_SETTINGS, logLevel: "warn" });
  const client = worker;
  await runConcurrently(rows.length, CONCURRENCY, async (i) => {
    const { origin, destination, departure, distance_miles } = rows[i]!;
    const response = await client.request("POST", "/predict", JSON.stringify({ origin, destination, departure, distance_miles }));
    served[i] = { status: response.status, body: parseBody(response.body) };
  });
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await worker?.stop();
}, SETUP_TIMEOUT_MS);

function parseBody(text: string): Served["body"] {
  try {
    return JSON.parse(text) as Served["body"];
  } catch {
    return {};
  }
}

/** Describes row i for failure messages. */
function describeRow(i: number): string {
  const { origin, destination, departure, distance_miles } = rows[i]!;
  return `row ${i} (${origin}-${destination} ${departure}, ${distance_miles} mi)`;
}

describe("local Worker replay of parity rows", () => {
  it("fixture has the rows to replay", () => {
    expect(rows.length).toBe(ROWS);
  });

  it("every response is 200", () => {
    const failed = served.flatMap((s, i) => (s.status === 200 ? [] : [`${describeRow(i)}: ${s.status}`]));
    expect(failed).toEqual([]);
  });

  it("every response is served by edge", () => {
    const others = served.flatMap((s, i) => (s.body.served_by === "edge" ? [] : [`${describeRow(i)}: ${s.body.served_by}`]));
    expect(others).toEqual([]);
  });

  it("fixture matches the bundled model", () => {
    expect(fixture.model).toEqual({ name: card.name, version: card.version });
  });

  it("serves the fixture's model", () => {
    const models = new Set(served.map((s) => `${s.body.model?.name} v${s.body.model?.version}`));
    expect([...models]).toEqual([`${fixture.model.name} v${fixture.model.version}`]);
  });

  it("probabilities match XGBoost within 1e-5", () => {
    let worst = { diff: 0, row: -1, served: Number.NaN };
    served.forEach((s, i) => {
      const probability = s.body.delay_probability;
      // A missing probability counts as the worst possible row.
      const diff = typeof probability === "number" ? Math.abs(probability - rows[i]!.xgboost) : Number.POSITIVE_INFINITY;
      if (diff > worst.diff) worst = { diff, row: i, served: probability ?? Number.NaN };
    });
    const message =
      worst.row < 0 ? "all rows equal" : `worst ${describeRow(worst.row)}: served ${worst.served}, XGBoost ${rows[worst.row]!.xgboost}`;
    expect(worst.diff, message).toBeLessThanOrEqual(MAX_PROBABILITY_DIFF);
  });

  it("is_delayed equals probability ≥ threshold", () => {
    const wrong = served.flatMap((s, i) => {
      const { delay_probability: p, threshold, is_delayed } = s.body;
      if (typeof p === "number" && typeof threshold === "number" && is_delayed === p >= threshold) return [];
      return [`${describeRow(i)}: p ${p}, threshold ${threshold}, is_delayed ${is_delayed}`];
    });
    expect(wrong).toEqual([]);
  });
});
