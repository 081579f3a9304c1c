import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toFeatures } from "../../../core/features";
import { MicroBatcher } from "../../../origin/micro-batcher";
import { scoreRows } from "../../../origin/models";
import { type RunningOrigin, loggedRows, postJson, startOrigin } from "./harness";

// A real PostgreSQL keeps rows between runs, so request ids carry a per-run suffix.
const RUN = crypto.randomUUID().slice(0, 8);

const FLIGHT = { origin: "ORD", destination: "LGA", departure: "2026-12-24T18:30" };

/**
 * The card of the edge version the origin loads: MODEL_EDGE_VERSION, or else the largest numeric
 * folder under MODELS_DIR/edge (the rule of origin/models.ts, restated so the test checks it).
 */
function servedEdgeCard(): { name: string; version: string } {
  const folder = join(process.env.MODELS_DIR ?? "models", "edge");
  const versions = readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && /^\d+$/.test(entry.name))
    .map((entry) => Number(entry.name));
  const version = process.env.MODEL_EDGE_VERSION ?? String(Math.max(...versions));
  return JSON.parse(readFileSync(join(folder, version, "model-card.json"), "utf8")) as { name: string; version: string };
}

interface ParityFixture {
  model: { name: string; version: string };
  rows: Array<{ origin: string; destination: string; departure: string; distance_miles: number; xgboost: number }>;
}

/**
 * Allowed |served − XGBoost|. The response rounds to 6 decimals, and onnxruntime-node differs from
 * XGBoost by at most 3.9e-7 on the edge v1 parity rows (parity in its model card).
 */
const MAX_PROBABILITY_DIFF = 1e-5;
const PARITY_ROWS = 5;
let origin: RunningOrigin;

beforeAll(async () => {
  origin = await startOrigin();
}, 60_000);
afterAll(() => origin?.stop());

describe("origin /predict", () => {
  it("origin predicts with the full model", async () => {
    const response = await postJson(`${origin.url}/predict`, { ...FLIGHT, departure: "2026-12-24T18:31" });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.model).toEqual({ name: "full", version: origin.services.models.full.version });
    expect(body.served_by).toBe("origin");
    expect(body.threshold).toBe(origin.services.models.full.threshold);
    expect(response.headers.get("x-cache")).toBe("MISS");
  });

  it("origin serves the edge model on request", async () => {
    const card = servedEdgeCard();
    // `npm run train` writes this fixture with the version folder it creates.
    const fixture = JSON.parse(readFileSync(`test/fixtures/parity/${card.name}-${card.version}.json`, "utf8")) as ParityFixture;
    expect(fixture.model).toEqual({ name: card.name, version: card.version });

    for (const row of fixture.rows.slice(0, PARITY_ROWS)) {
      const { origin: from, destination, departure, distance_miles } = row;
      const response = await postJson(`${origin.url}/predict`, { origin: from, destination, departure, distance_miles, model: "edge" });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { model: unknown; delay_probability: number };
      expect(body.model).toEqual(fixture.model);
      expect(Math.abs(body.delay_probability - row.xgboost)).toBeLessThanOrEqual(MAX_PROBABILITY_DIFF);
    }
  });

  it("origin caches the second answer", async () => {
    const flight = { ...FLIGHT, departure: "2026-12-24T18:32" };
    const first = (await (await postJson(`${origin.url}/predict`, flight)).json()) as { delay_probability: number };
    const second = await postJson(`${origin.url}/predict`, flight);
    expect(second.headers.get("x-cache")).toBe("HIT");
    const body = (await second.json()) as { delay_probability: number; cached: boolean };
    expect(body.cached).toBe(true);
    expect(body.delay_probability).toBe(first.delay_probability);
  });

  it("origin logs each prediction", async () => {
    await postJson(`${origin.url}/predict`, FLIGHT, { "x-request-id": `origin-log-${RUN}` });
    await origin.services.log.flush();
    expect(await loggedRows(origin.services, `origin-log-${RUN}`)).toBe(1);
  });

  it("origin rejects bad input like the edge", async () => {
    const bad = await postJson(`${origin.url}/predict`, { ...FLIGHT, model: "huge" }, { "accept-language": "pt-BR" });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { details: Array<{ field: string; message: string }> } };
    expect(body.error.details[0]!.field).toBe("model");
    expect(body.error.details[0]!.message).toContain("precisa ser");

    const unknown = await postJson(`${origin.url}/predict`, { ...FLIGHT, origin: "ZZZ" });
    expect(unknown.status).toBe(422);
  });

  it("origin returns 404 and 405 shapes", async () => {
    expect((await fetch(`${origin.url}/nope`)).status).toBe(404);
    const wrongMethod = await fetch(`${origin.url}/predict`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("POST");
  });
});

describe("origin micro-batching", () => {
  it("rows of one turn share a session run", async () => {
    const { models, metrics } = origin.services;
    const batcher = new MicroBatcher(models.full, metrics);
    const runs = async () =>
      (await metrics.inferenceDuration.get()).values.find(
        (v) => v.metricName === "model_inference_duration_seconds_count" && v.labels.model_type === "full",
      )?.value ?? 0;
    const rows = Array.from({ length: 20 }, (_, i) =>
      toFeatures(models.full.tables, { origin: "ORD", destination: "LGA", localMinute: 29_000_000 + i * 60, distanceMiles: 733 }),
    );

    const before = await runs();
    const together = await Promise.all(rows.map((row) => batcher.score(row)));
    expect((await runs()) - before).toBe(1);

    for (const [i, row] of rows.entries()) {
      const [alone] = await scoreRows(models.full, row, 1);
      expect(together[i]).toBe(alone);
    }
  });
});

describe("origin probes and metrics", () => {
  it("ready lists models and dependencies", async () => {
    const response = await fetch(`${origin.url}/ready`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; dependencies: Record<string, { kind: string; status: string }> };
    expect(body.status).toBe("ready");
    expect(body.dependencies.database!.kind).toBe(process.env.DATABASE_URL ? "postgres" : "pglite");
    expect(body.dependencies.cache!.kind).toBe(process.env.REDIS_URL ? "redis" : "memory");
  });

  it("metrics move with requests", async () => {
    const read = async () => (await (await fetch(`${origin.url}/metrics`)).text()).split("\n");
    const value = (lines: string[], series: string) => Number(lines.find((l) => l.startsWith(series + " "))?.split(" ")[1] ?? 0);
    const requests = 'http_requests_total{method="POST",endpoint="/predict",status="200"}';
    const predictions = 'predictions_total{model_type="full",result="delayed"}';

    const before = await read();
    await postJson(`${origin.url}/predict`, { ...FLIGHT, departure: "2026-12-24T18:45" });
    const after = await read();

    expect(value(after, requests) - value(before, requests)).toBe(1);
    expect(value(after, predictions)).toBeGreaterThanOrEqual(value(before, predictions));
    expect(after.some((l) => l.startsWith('http_request_duration_seconds_bucket{le="0.005",method="POST",endpoint="/predict"}'))).toBe(true);
    expect(after.some((l) => l.startsWith("http_active_connections "))).toBe(true);
    expect(after.some((l) => l.startsWith('model_inference_duration_seconds_count{model_type="full"}'))).toBe(true);
    expect(after.some((l) => l.startsWith("process_resident_memory_bytes "))).toBe(true);
  });
});

describe("origin shared secret", () => {
  let guarded: RunningOrigin;
  beforeAll(async () => {
    guarded = await startOrigin({ ORIGIN_SHARED_SECRET: "s3cret-for-tests" });
  }, 60_000);
  afterAll(() => guarded?.stop());

  it("secret is required for predictions", async () => {
    const missing = await postJson(`${guarded.url}/predict`, FLIGHT);
    expect(missing.status).toBe(401);
    const wrong = await postJson(`${guarded.url}/predict`, FLIGHT, { "x-origin-secret": "guess" });
    expect(wrong.status).toBe(401);
    const right = await postJson(`${guarded.url}/predict`, FLIGHT, { "x-origin-secret": "s3cret-for-tests" });
    expect(right.status).toBe(200);
  });

  it("secret is not needed for probes", async () => {
    for (const path of ["/health", "/ready", "/metrics"]) {
      expect((await fetch(`${guarded.url}${path}`)).status, path).toBe(200);
    }
  });
});
