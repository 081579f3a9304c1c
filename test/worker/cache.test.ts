import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { card } from "../../models/edge/current";
import { predictAndSettle } from "./settle";

interface PredictionBody {
  delay_probability: number;
  cached: boolean;
}

const FLIGHT = { origin: "SFO", destination: "JFK", departure: "2026-12-20T07:15" };

/** A KV binding whose every call fails, as KV does during an outage. */
const brokenKv = {
  get: () => Promise.reject(new Error("KV unavailable")),
  put: () => Promise.reject(new Error("KV unavailable")),
} as unknown as KVNamespace;

describe("prediction cache", () => {
  it("cache misses then hits", async () => {
    const first = await predictAndSettle(FLIGHT);
    expect(first.status).toBe(200);
    expect(first.headers.get("x-cache")).toBe("MISS");
    const firstBody = (await first.json()) as PredictionBody;
    expect(firstBody.cached).toBe(false);

    const second = await predictAndSettle(FLIGHT);
    expect(second.headers.get("x-cache")).toBe("HIT");
    const secondBody = (await second.json()) as PredictionBody;
    expect(secondBody.cached).toBe(true);
    expect(secondBody.delay_probability).toBe(firstBody.delay_probability);
  });

  it("cache key holds model version and flight", async () => {
    const key = `prediction:${card.name}:${card.version}:SFO:JFK:2026-12-20T07:15:`;
    await predictAndSettle(FLIGHT);
    const listed = await env.PREDICTION_CACHE.list({ prefix: key });
    expect(listed.keys).toHaveLength(1);
  });

  it("cache treats equal canonical flights as one", async () => {
    await predictAndSettle({ origin: "sea", destination: "bos", departure: "2026-12-21T09:00" });
    const response = await predictAndSettle({ origin: "SEA", destination: "BOS", departure: "2026-12-21T09:00:00" });
    expect(response.headers.get("x-cache")).toBe("HIT");
  });

  it("cache misses on a changed input", async () => {
    await predictAndSettle(FLIGHT);
    const response = await predictAndSettle({ ...FLIGHT, departure: "2026-12-20T07:16" });
    expect(response.headers.get("x-cache")).toBe("MISS");
  });

  it("cache misses for another model version", async () => {
    // A value stored under another version must never be served.
    const stale = `prediction:${card.name}:0:DEN:ORD:2026-12-22T12:00:${888}`;
    await env.PREDICTION_CACHE.put(stale, JSON.stringify({ probability: 0.999 }));
    const response = await predictAndSettle({ origin: "DEN", destination: "ORD", departure: "2026-12-22T12:00" });
    expect(response.headers.get("x-cache")).toBe("MISS");
    expect(((await response.json()) as PredictionBody).delay_probability).not.toBe(0.999);
  });

  it("cache outage still answers 200", async () => {
    const response = await predictAndSettle({ ...FLIGHT, departure: "2026-12-23T13:00" }, { ...env, PREDICTION_CACHE: brokenKv });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-cache")).toBe("MISS");
    expect(((await response.json()) as PredictionBody).cached).toBe(false);
  });

  it("cache ignores a corrupt value", async () => {
    const flight = { origin: "LAX", destination: "ORD", departure: "2026-12-22T06:00" };
    const first = (await (await predictAndSettle(flight)).json()) as PredictionBody;
    const keys = await env.PREDICTION_CACHE.list({ prefix: `prediction:${card.name}:${card.version}:LAX:ORD:2026-12-22T06:00:` });
    await env.PREDICTION_CACHE.put(keys.keys[0]!.name, "not json");
    const response = await predictAndSettle(flight);
    expect(response.status).toBe(200);
    expect(response.headers.get("x-cache")).toBe("MISS");
    expect(((await response.json()) as PredictionBody).delay_probability).toBe(first.delay_probability);
  });
});
