// The bundle that `wrangler deploy` would upload, run in one workerd process by the benchmark's
// launcher: it must start, predict with the edge model and write its access log.

import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBundledWorker } from "../../scripts/lib/bundled-worker";
import { LOAD_TEST_SETTINGS, type LocalWorker } from "../../scripts/lib/local-worker";

const FLIGHT = JSON.stringify({ origin: "ORD", destination: "LGA", departure: "2026-12-24T18:30" });

let worker: LocalWorker;
const lines: string[] = [];
beforeAll(async () => {
  worker = await startBundledWorker({ ...LOAD_TEST_SETTINGS, onLogLine: (line) => lines.push(line) });
}, 180_000);
afterAll(() => worker?.stop());

describe("deployable bundle", () => {
  it("bundle reports its model", async () => {
    const response = await worker.request("GET", "/health");
    expect(response.status).toBe(200);
    const { model } = JSON.parse(response.body) as { model: { name: string; version: string } };
    expect(model.name).toBe("edge");
    // The bundled version is one of the committed model folders.
    expect(existsSync(`models/edge/${model.version}/model.onnx`)).toBe(true);
  });

  it("bundle predicts on the edge", async () => {
    const response = await worker.request("POST", "/predict", FLIGHT);
    expect(response.status).toBe(200);
    const body = JSON.parse(response.body) as { served_by: string; delay_probability: number; cached: boolean };
    expect(body.served_by).toBe("edge");
    expect(body.cached).toBe(false);
    expect(body.delay_probability).toBeGreaterThan(0);
    expect(body.delay_probability).toBeLessThan(1);
  });

  it("bundle writes the access log", () => {
    const requests = lines.filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as Record<string, unknown>);
    const predict = requests.find((entry) => entry.event === "request" && entry.route === "/predict");
    const health = requests.find((entry) => entry.event === "request" && entry.route === "/health");
    expect(predict).toMatchObject({ status: 200, served_by: "edge", cache: "miss" });
    expect(predict?.model_version).toMatch(/^edge@\d+$/);
    // A route that returns no prediction names no model.
    expect(health?.model_version).toBeNull();
  });

  it("bundle stops cleanly", async () => {
    await worker.stop();
    await expect(worker.request("GET", "/health")).rejects.toThrow();
  });
});
