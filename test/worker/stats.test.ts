import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { StatsSchema } from "../../core/contract";
import { type ErrorBody, fetchWorker } from "./client";
import { predictAndSettle } from "./settle";

async function insertRow(createdAt: string, latencyMs: number, isDelayed: boolean, servedBy = "edge", cacheHit = false) {
  await env.DB.prepare(
    `INSERT INTO predictions (request_id, created_at, model_name, model_version, origin, destination, departure,
       distance_miles, probability, is_delayed, served_by, cache_hit, latency_ms)
     VALUES (?, ?, 'edge', '1', 'ORD', 'LGA', '2020-01-01T10:00', 733, 0.3, ?, ?, ?, ?)`,
  )
    .bind(`stats-${createdAt}-${latencyMs}`, createdAt, isDelayed ? 1 : 0, servedBy, cacheHit ? 1 : 0, latencyMs)
    .run();
}

describe("GET /stats", () => {
  it("stats computes counts and percentiles", async () => {
    // 100 rows on 2020-01-01 with latencies 1..100 ms; every 4th is delayed, every 10th from the origin.
    for (let i = 1; i <= 100; i++) {
      const createdAt = `2020-01-01T00:${String(Math.floor(i / 60)).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}.000Z`;
      await insertRow(createdAt, i, i % 4 === 0, i % 10 === 0 ? "origin" : "edge", i % 5 === 0);
    }
    await insertRow("2020-01-02T00:00:00.000Z", 5000, true);

    const response = await fetchWorker("/stats?since=2020-01-01T00:00:00Z&until=2020-01-02T00:00:00Z");
    expect(response.status).toBe(200);
    const stats = StatsSchema.parse(await response.json());
    expect(stats.total).toBe(100);
    expect(stats.by_decision).toEqual({ delayed: 25, on_time: 75 });
    expect(stats.by_served_by).toEqual({ edge: 90, origin: 10 });
    expect(stats.cache_hits).toBe(20);
    expect(stats.latency_ms).toEqual({ p50: 50, p95: 95, p99: 99 });
  });

  it("stats counts live predictions", async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    await predictAndSettle({ origin: "BOS", destination: "DCA", departure: "2026-12-24T07:00" });
    await predictAndSettle({ origin: "BOS", destination: "DCA", departure: "2026-12-24T07:00" });
    const until = new Date(Date.now() + 1000).toISOString();

    const stats = StatsSchema.parse(await (await fetchWorker(`/stats?since=${since}&until=${until}`)).json());
    expect(stats.total).toBe(2);
    expect(stats.cache_hits).toBe(1);
    expect(stats.by_served_by.edge).toBe(2);
    expect(stats.latency_ms.p50).not.toBeNull();
  });

  it("stats of an empty window has null percentiles", async () => {
    const stats = StatsSchema.parse(await (await fetchWorker("/stats?since=1999-01-01T00:00:00Z&until=1999-01-02T00:00:00Z")).json());
    expect(stats.total).toBe(0);
    expect(stats.latency_ms).toEqual({ p50: null, p95: null, p99: null });
  });

  it("stats rejects a bad time", async () => {
    const response = await fetchWorker("/stats?since=yesterday");
    expect(response.status).toBe(400);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.details[0]!.field).toBe("since");
    expect(body.error.details[0]!.message).toContain("ISO 8601");
  });

  it("stats rejects an inverted window", async () => {
    const response = await fetchWorker("/stats?since=2020-01-02T00:00:00Z&until=2020-01-01T00:00:00Z");
    expect(response.status).toBe(400);
  });

  it("stats reports a D1 outage as 503", async () => {
    const broken = { prepare: () => { throw new Error("D1 down"); } } as unknown as D1Database;
    const { requestAndSettle } = await import("./settle");
    const response = await requestAndSettle("/stats", {}, { ...env, DB: broken });
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(((await response.json()) as ErrorBody).error.code).toBe("stats_unavailable");
  });
});
