import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { card } from "../../models/edge/current";
import { RETRY_DELAYS_MS } from "../../worker/db/prediction-log";
import { predictAndSettle } from "./settle";

interface LogRow {
  request_id: string;
  created_at: string;
  model_name: string;
  model_version: string;
  origin: string;
  destination: string;
  departure: string;
  distance_miles: number;
  reference: string | null;
  probability: number;
  is_delayed: number;
  served_by: string;
  cache_hit: number;
  latency_ms: number;
  colo: string | null;
  country: string | null;
}

function rowsFor(requestId: string): Promise<LogRow[]> {
  return env.DB.prepare("SELECT * FROM predictions WHERE request_id = ?").bind(requestId).all<LogRow>().then((r) => r.results);
}

afterEach(() => vi.restoreAllMocks());

describe("prediction log", () => {
  it("log row holds the prediction", async () => {
    const before = new Date().toISOString();
    const response = await predictAndSettle(
      { origin: "atl", destination: "MCO", departure: "2026-12-26T16:05", reference: "DL 1492" },
      env,
      { "x-request-id": "log-row-1" },
    );
    const body = (await response.json()) as { delay_probability: number; is_delayed: boolean; flight: { distance_miles: number } };

    const rows = await rowsFor("log-row-1");
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row.model_name).toBe(card.name);
    expect(row.model_version).toBe(card.version);
    expect(row.origin).toBe("ATL");
    expect(row.destination).toBe("MCO");
    expect(row.departure).toBe("2026-12-26T16:05");
    expect(row.distance_miles).toBe(body.flight.distance_miles);
    expect(row.reference).toBe("DL 1492");
    expect(row.probability).toBe(body.delay_probability);
    expect(row.is_delayed).toBe(body.is_delayed ? 1 : 0);
    expect(row.served_by).toBe("edge");
    expect(row.cache_hit).toBe(0);
    expect(row.latency_ms).toBeGreaterThanOrEqual(0);
    expect(row.created_at >= before).toBe(true);
    expect(row.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it("log marks a cache hit", async () => {
    const flight = { origin: "ATL", destination: "LGA", departure: "2026-12-27T08:00" };
    await predictAndSettle(flight);
    await predictAndSettle(flight, env, { "x-request-id": "log-hit-1" });
    const rows = await rowsFor("log-hit-1");
    expect(rows[0]!.cache_hit).toBe(1);
  });

  it("log writes concurrent predictions in one batch", async () => {
    const batches = vi.spyOn(env.DB, "batch");
    const ids = ["log-batch-1", "log-batch-2", "log-batch-3", "log-batch-4", "log-batch-5", "log-batch-6", "log-batch-7"];
    const responses = await Promise.all(
      ids.map((id, i) => predictAndSettle({ origin: "BOS", destination: "DCA", departure: `2026-12-29T0${i}:10` }, env, { "x-request-id": id })),
    );
    expect(responses.map((r) => r.status)).toEqual(ids.map(() => 200));

    // Seven rows take two insert statements (D1 binds at most 100 values per statement), sent as one batch.
    expect(batches).toHaveBeenCalledTimes(1);
    expect(batches.mock.calls[0]![0]).toHaveLength(2);
    for (const id of ids) expect(await rowsFor(id), id).toHaveLength(1);
  });

  it("log writes a full batch without waiting", async () => {
    const batches = vi.spyOn(env.DB, "batch");
    const bindings = { ...env, LOG_BATCH_ROWS: "2", LOG_BATCH_WAIT_MS: "1000" } as unknown as Env;
    const ids = ["log-full-1", "log-full-2", "log-full-3"];
    await Promise.all(
      ids.map((id, i) => predictAndSettle({ origin: "BOS", destination: "ORD", departure: `2026-12-29T1${i}:10` }, bindings, { "x-request-id": id })),
    );
    // Two rows fill the first batch at once; the third waits for its own batch's timer.
    expect(batches).toHaveBeenCalledTimes(2);
    for (const id of ids) expect(await rowsFor(id), id).toHaveLength(1);
  });

  it("log stores no client address", async () => {
    const columns = await env.DB.prepare("SELECT name FROM pragma_table_info('predictions')").all<{ name: string }>();
    const names = columns.results.map((c) => c.name);
    expect(names).toContain("request_id");
    expect(names.some((n) => /ip|addr|user/i.test(n))).toBe(false);
  });

  it("log outage still answers 200 and retries", async () => {
    const errors = vi.spyOn(console, "error");
    const warnings = vi.spyOn(console, "warn");
    await env.DB.exec("ALTER TABLE predictions RENAME TO predictions_offline");
    try {
      const response = await predictAndSettle(
        { origin: "ORD", destination: "DFW", departure: "2026-12-28T09:30" },
        env,
        { "x-request-id": "log-outage-1" },
      );
      expect(response.status).toBe(200);
    } finally {
      await env.DB.exec("ALTER TABLE predictions_offline RENAME TO predictions");
    }

    const retries = warnings.mock.calls.map((c) => String(c[0])).filter((line) => line.includes("prediction_log_retry"));
    const failures = errors.mock.calls.map((c) => String(c[0])).filter((line) => line.includes("prediction_log_failed"));
    expect(retries).toHaveLength(RETRY_DELAYS_MS.length);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain('"request_ids":["log-outage-1"]');
    expect(await rowsFor("log-outage-1")).toHaveLength(0);
  });
});
