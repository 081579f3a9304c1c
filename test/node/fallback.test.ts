// Edge → origin fallback with real processes: wrangler dev (workerd) in front of the real origin,
// of a closed port, and of a stub origin that is slow or fails on request.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOAD_TEST_SETTINGS, type LocalWorker, startLocalWorker } from "../../scripts/lib/local-worker";
import { type RunningOrigin, startOrigin } from "./origin/harness";
import { freePort } from "./ports";

const SECRET = "edge-to-origin-test-secret";
const FLIGHT = { origin: "ORD", destination: "LGA", departure: "2026-12-24T18:30" };

interface Answer {
  status: number;
  headers: Headers;
  body: {
    served_by?: string;
    cached?: boolean;
    delay_probability?: number;
    model?: { name: string; version: string };
    error?: { code: string };
  };
}

/**
 * Repeats a prediction until the edge returns it from KV. The first response's KV write runs in
 * waitUntil, after the response, so the next request may still miss. The bounded loop waits for the
 * write without timing anything. Only an edge response ends the loop, because the origin's Redis,
 * which outlives a test run, can return a cached prediction too.
 */
async function predictUntilCached(worker: LocalWorker, body: object): Promise<{ first: Answer; cached: Answer }> {
  const first = await predict(worker, body);
  let cached = first;
  const fromEdgeCache = (answer: Answer) => answer.body.served_by === "edge" && answer.body.cached === true;
  for (let attempt = 0; attempt < 50 && !fromEdgeCache(cached); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    cached = await predict(worker, body);
  }
  return { first, cached };
}

async function predict(worker: LocalWorker, body: object): Promise<Answer> {
  const response = await fetch(`${worker.url}/predict`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Answer["body"] };
}

function edgeFor(originUrl: string, vars: Record<string, string> = {}): Promise<LocalWorker> {
  return startLocalWorker({
    ...LOAD_TEST_SETTINGS,
    vars: { ORIGIN_URL: originUrl, ORIGIN_SHARED_SECRET: SECRET, ...vars },
  });
}

let origin: RunningOrigin;
beforeAll(async () => {
  origin = await startOrigin({ ORIGIN_SHARED_SECRET: SECRET });
}, 60_000);
afterAll(() => origin?.stop());

describe("edge with a healthy origin", () => {
  let edge: LocalWorker;
  beforeAll(async () => {
    edge = await edgeFor(origin.url);
  }, 120_000);
  afterAll(() => edge?.stop());

  it("edge serves its own model locally", async () => {
    const answer = await predict(edge, FLIGHT);
    expect(answer.status).toBe(200);
    expect(answer.body.served_by).toBe("edge");
  });

  it("edge forwards full-model requests", async () => {
    const answer = await predict(edge, { ...FLIGHT, model: "full" });
    expect(answer.status).toBe(200);
    expect(answer.body.served_by).toBe("origin");
    expect(answer.body.model?.name).toBe("full");
    // The edge's own headers survive on a relayed response.
    expect(answer.headers.get("ratelimit-policy")).toMatch(/^"per-client";q=\d+;w=60$/);
    expect(answer.headers.get("x-request-id")).toBeTruthy();
  });

  it("edge caches full-model answers in KV", async () => {
    const flight = { ...FLIGHT, departure: "2026-12-24T11:45", model: "full" };
    // The first full-model response gives the isolate the origin's model version, which the KV key
    // contains.
    await predict(edge, { ...flight, departure: "2026-12-24T11:40" });
    const { first, cached } = await predictUntilCached(edge, flight);

    expect(first.body.served_by).toBe("origin");
    expect(cached.status).toBe(200);
    expect(cached.body.cached).toBe(true);
    expect(cached.body.served_by).toBe("edge");
    expect(cached.headers.get("x-cache")).toBe("HIT");
    expect(cached.body.model).toEqual(first.body.model);
    expect(cached.body.delay_probability).toBe(first.body.delay_probability);
  });

  it("edge streams batches through the origin", async () => {
    const lines = [FLIGHT, { ...FLIGHT, origin: "ZZZ" }, { ...FLIGHT, departure: "2026-12-24T06:00" }].map((f) => JSON.stringify(f));
    const response = await fetch(`${edge.url}/predict/batch`, {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: lines.join("\n"),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-served-by")).toBe("origin");
    expect(response.headers.get("ratelimit-policy")).toMatch(/^"per-client";q=\d+;w=60$/);
    const rows = (await response.text()).trim().split("\n").map((l) => JSON.parse(l) as { row: number; error?: unknown });
    expect(rows.map((r) => r.row)).toEqual([1, 2, 3]);
    expect(rows[1]!.error).toBeDefined();
  });
});

describe("edge with edge inference disabled", () => {
  let edge: LocalWorker;
  beforeAll(async () => {
    edge = await edgeFor(origin.url, { EDGE_INFERENCE: "disabled" });
  }, 120_000);
  afterAll(() => edge?.stop());

  it("edge falls back to the origin", async () => {
    const answer = await predict(edge, FLIGHT);
    expect(answer.status).toBe(200);
    expect(answer.body.served_by).toBe("origin");
    expect(answer.body.model?.name).toBe("edge");
  });

  it("edge caches fallback answers in KV", async () => {
    const { first, cached } = await predictUntilCached(edge, { ...FLIGHT, departure: "2026-12-24T07:05" });
    expect(first.body.served_by).toBe("origin");
    expect(cached.body).toMatchObject({ served_by: "edge", cached: true, model: first.body.model });
    expect(cached.body.delay_probability).toBe(first.body.delay_probability);
  });
});

describe("edge with the origin down", () => {
  let edge: LocalWorker;
  beforeAll(async () => {
    edge = await edgeFor(`http://127.0.0.1:${await freePort()}`);
  }, 120_000);
  afterAll(() => edge?.stop());

  it("edge still answers edge predictions", async () => {
    const answer = await predict(edge, FLIGHT);
    expect(answer.status).toBe(200);
    expect(answer.body.served_by).toBe("edge");
  });

  it("edge returns 503 for full-model requests", async () => {
    const answer = await predict(edge, { ...FLIGHT, model: "full" });
    expect(answer.status).toBe(503);
    expect(answer.body.error?.code).toBe("origin_unavailable");
    expect(Number(answer.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });

  it("edge returns 503 for batches", async () => {
    const response = await fetch(`${edge.url}/predict/batch`, {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: JSON.stringify(FLIGHT),
    });
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).not.toBeNull();
  });
});

describe("edge with a slow or failing origin", () => {
  let stub: { url: string; hits: () => number; close: () => Promise<void> };
  let edge: LocalWorker;
  let wrongSecret: LocalWorker;
  beforeAll(async () => {
    stub = await startStubOrigin();
    edge = await edgeFor(stub.url, { ORIGIN_TIMEOUT_MS: "300" });
    wrongSecret = await edgeFor(origin.url, { ORIGIN_SHARED_SECRET: "not-the-secret" });
  }, 180_000);
  afterAll(async () => {
    await edge?.stop();
    await wrongSecret?.stop();
    await stub?.close();
  });

  it("edge rejects a malformed origin body", async () => {
    const answer = await fetch(`${edge.url}/predict`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...FLIGHT, model: "full", reference: "garbage" }),
    });
    expect(answer.status).toBe(503);
    expect(((await answer.json()) as { error: { code: string } }).error.code).toBe("origin_unavailable");
  });

  it("edge times out a slow origin with 503", async () => {
    const before = stub.hits();
    const answer = await predict(edge, { ...FLIGHT, model: "full", reference: "slow" });
    expect(answer.status).toBe(503);
    // One retry: a single prediction is safe to send twice.
    expect(stub.hits() - before).toBe(2);
  });

  it("edge maps origin errors to 503", async () => {
    const answer = await predict(edge, { ...FLIGHT, model: "full", reference: "error" });
    expect(answer.status).toBe(503);
    expect(answer.body.error?.code).toBe("origin_unavailable");
  });

  it("edge opens the circuit after failures", async () => {
    for (let i = 0; i < 3; i++) await predict(edge, { ...FLIGHT, model: "full", reference: "error" });
    const before = stub.hits();
    const answer = await predict(edge, { ...FLIGHT, model: "full", reference: "error" });
    expect(answer.status).toBe(503);
    expect(stub.hits()).toBe(before);
    expect(Number(answer.headers.get("retry-after"))).toBeGreaterThan(1);
  });

  it("edge treats a rejected secret as unavailable", async () => {
    const answer = await predict(wrongSecret, { ...FLIGHT, model: "full" });
    expect(answer.status).toBe(503);
    expect(answer.body.error?.code).toBe("origin_unavailable");
  });
});

/**
 * Starts an origin stand-in on 127.0.0.1: "garbage" in the body gets a 200 that is not JSON, "slow"
 * waits 2 s, and anything else gets a 500.
 */
async function startStubOrigin() {
  let hits = 0;
  const server: Server = createServer((req, res) => {
    hits++;
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      if (body.includes('"garbage"')) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end("<html>not a prediction</html>");
        return;
      }
      const delay = body.includes('"slow"') ? 2_000 : 0;
      setTimeout(() => {
        res.writeHead(500, { "content-type": "application/json" });
        res.end('{"error":{"code":"internal_error","message":"stub failure","details":[]},"request_id":"stub"}');
      }, delay);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits: () => hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
