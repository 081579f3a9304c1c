import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type ErrorBody, fetchWorker, postJson } from "./client";
import { requestAndSettle } from "./settle";

const FLIGHT = { origin: "DFW", destination: "ORD", departure: "2026-12-24T08:00" };

afterEach(() => vi.restoreAllMocks());

describe("rate limit", () => {
  it("rate limit rejects the 11th request", async () => {
    const client = "203.0.113.11";
    for (let i = 1; i <= 10; i++) {
      const response = await postJson("/predict", FLIGHT, {}, client);
      expect(response.status, `request ${i}`).toBe(200);
      expect(response.headers.get("ratelimit-policy")).toBe('"per-client";q=10;w=60');
    }

    const limited = await postJson("/predict", FLIGHT, { "accept-language": "en" }, client);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("60");
    expect(limited.headers.get("ratelimit-policy")).toBe('"per-client";q=10;w=60');
    expect(limited.headers.get("ratelimit")).toBe('"per-client";r=0;t=60');
    const body = (await limited.json()) as ErrorBody;
    expect(body.error.code).toBe("rate_limited");
    expect(body.error.message).toContain("10 per 60 seconds");
    expect(body.request_id).toBe(limited.headers.get("x-request-id"));
  });

  it("rate limit counts every route but health", async () => {
    const client = "203.0.113.12";
    for (let i = 0; i < 10; i++) await fetchWorker("/stats", {}, client);
    expect((await fetchWorker("/openapi.json", {}, client)).status).toBe(429);
    for (let i = 0; i < 15; i++) {
      expect((await fetchWorker("/health", {}, client)).status).toBe(200);
    }
  });

  it("rate limit keeps clients apart", async () => {
    const busy = "203.0.113.13";
    for (let i = 0; i < 11; i++) await postJson("/predict", FLIGHT, {}, busy);
    expect((await postJson("/predict", FLIGHT, {}, busy)).status).toBe(429);
    expect((await postJson("/predict", FLIGHT, {}, "203.0.113.14")).status).toBe(200);
  });

  it("rate limit answers in Portuguese", async () => {
    const client = "203.0.113.15";
    for (let i = 0; i < 10; i++) await fetchWorker("/stats", {}, client);
    const limited = await fetchWorker("/stats", { headers: { "accept-language": "pt-BR" } }, client);
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as ErrorBody).error.message).toContain("Requisições demais");
  });

  it("rate limit fails open when the binding fails", async () => {
    const errors = vi.spyOn(console, "error");
    const broken = { limit: () => Promise.reject(new Error("limiter down")) } as unknown as RateLimit;
    const response = await requestAndSettle(
      "/predict",
      { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(FLIGHT) },
      { ...env, RATE_LIMITER: broken },
    );
    expect(response.status).toBe(200);
    const logged = errors.mock.calls.map((c) => String(c[0])).filter((line) => line.includes("rate_limiter_failed"));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain("limiter down");
  });
});
