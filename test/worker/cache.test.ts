// Caching of edge-model predictions in the isolate's memory, not in KV. KV contains origin
// predictions, which test/node/fallback.test.ts covers with a real origin.

import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { card } from "../../models/edge/current";
import { predictAndSettle } from "./settle";

interface PredictionBody {
  delay_probability: number;
  cached: boolean;
  served_by: string;
}

const FLIGHT = { origin: "SFO", destination: "JFK", departure: "2026-12-20T07:15" };

/** A KV binding whose every call fails, as KV does during an outage. */
const brokenKv = {
  get: () => Promise.reject(new Error("KV unavailable")),
  put: () => Promise.reject(new Error("KV unavailable")),
} as unknown as KVNamespace;

describe("edge answer cache", () => {
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
    expect(secondBody.served_by).toBe("edge");
    expect(secondBody.delay_probability).toBe(firstBody.delay_probability);
  });

  it("cache keeps edge answers out of KV", async () => {
    await predictAndSettle(FLIGHT);
    const listed = await env.PREDICTION_CACHE.list({ prefix: `prediction:${card.name}:` });
    expect(listed.keys).toHaveLength(0);
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

  it("cache ignores a KV entry for the edge model", async () => {
    // Edge predictions never read KV, so even a wrong value stored under the edge key is not served.
    const flight = { origin: "DEN", destination: "ORD", departure: "2026-12-22T12:00" };
    const key = `prediction:${card.name}:${card.version}:DEN:ORD:2026-12-22T12:00:888`;
    await env.PREDICTION_CACHE.put(key, JSON.stringify({ probability: 0.999 }));
    const response = await predictAndSettle(flight);
    expect(response.headers.get("x-cache")).toBe("MISS");
    const body = (await response.json()) as PredictionBody & { flight: { distance_miles: number } };
    // The stored key is the one this flight would have: same canonical distance.
    expect(body.flight.distance_miles).toBe(888);
    expect(body.delay_probability).not.toBe(0.999);
  });

  it("cache outage does not touch edge answers", async () => {
    const response = await predictAndSettle({ ...FLIGHT, departure: "2026-12-23T13:00" }, { ...env, PREDICTION_CACHE: brokenKv });
    expect(response.status).toBe(200);
    expect(((await response.json()) as PredictionBody).served_by).toBe("edge");
  });
});
