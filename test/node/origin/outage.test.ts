// Outages of the real PostgreSQL and Redis, played by cutting a TCP proxy between them and the
// origin. They need the servers, so they run where DATABASE_URL / REDIS_URL are set (.ci/run).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningOrigin, loggedRows, postJson, startOrigin } from "./harness";
import { type TcpProxy, startTcpProxy } from "./tcp-proxy";

// A real PostgreSQL keeps rows between runs, so request ids carry a per-run suffix.
const RUN = crypto.randomUUID().slice(0, 8);

const FLIGHT = { origin: "ORD", destination: "LGA", departure: "2026-12-24T18:30" };

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 100));
  }
}

function viaProxy(url: string, proxy: TcpProxy): string {
  const parsed = new URL(url);
  parsed.hostname = "127.0.0.1";
  parsed.port = String(proxy.port);
  return parsed.toString();
}

async function readyStatus(origin: RunningOrigin) {
  return (await (await fetch(`${origin.url}/ready`)).json()) as {
    status: string;
    dependencies: { database: { status: string }; cache: { status: string } };
  };
}

describe.skipIf(!process.env.DATABASE_URL)("PostgreSQL outage", () => {
  let proxy: TcpProxy;
  let origin: RunningOrigin;
  beforeAll(async () => {
    const target = new URL(process.env.DATABASE_URL!);
    proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    origin = await startOrigin({ DATABASE_URL: viaProxy(process.env.DATABASE_URL!, proxy), LOG_BUFFER_MAX_ROWS: "5" });
  }, 60_000);
  afterAll(async () => {
    await origin?.stop();
    await proxy?.close();
  });

  it("postgres outage keeps predictions and flushes later", async () => {
    await proxy.cut();
    for (let i = 1; i <= 3; i++) {
      const response = await postJson(`${origin.url}/predict`, FLIGHT, { "x-request-id": `pg-outage-${RUN}-${i}` });
      expect(response.status).toBe(200);
    }
    await waitFor(() => !origin.services.log.isHealthy());
    const during = await readyStatus(origin);
    expect(during.status).toBe("degraded");
    expect(during.dependencies.database.status).toBe("degraded");
    expect(origin.services.log.pending()).toBe(3);

    await proxy.restore();
    await waitFor(() => origin.services.log.pending() === 0 && origin.services.log.isHealthy());
    for (let i = 1; i <= 3; i++) expect(await loggedRows(origin.services, `pg-outage-${RUN}-${i}`)).toBe(1);
    expect((await readyStatus(origin)).status).toBe("ready");
  });

  it("postgres outage drops rows past the bound", async () => {
    await proxy.cut();
    for (let i = 1; i <= 8; i++) {
      const response = await postJson(`${origin.url}/predict`, FLIGHT, { "x-request-id": `pg-bound-${RUN}-${i}` });
      expect(response.status).toBe(200);
    }
    const dropped = (await origin.services.metrics.logRowsDropped.get()).values[0]?.value;
    expect(dropped).toBe(3);

    await proxy.restore();
    await waitFor(() => origin.services.log.pending() === 0 && origin.services.log.isHealthy());
    let stored = 0;
    for (let i = 1; i <= 8; i++) stored += await loggedRows(origin.services, `pg-bound-${RUN}-${i}`);
    expect(stored).toBe(5);
  });
});

describe.skipIf(!process.env.REDIS_URL)("Redis outage", () => {
  let proxy: TcpProxy;
  let origin: RunningOrigin;
  beforeAll(async () => {
    const target = new URL(process.env.REDIS_URL!);
    proxy = await startTcpProxy(target.hostname, Number(target.port || 6379));
    origin = await startOrigin({ REDIS_URL: viaProxy(process.env.REDIS_URL!, proxy) });
    await waitFor(() => origin.services.cache.isHealthy());
  }, 60_000);
  afterAll(async () => {
    await origin?.stop();
    await proxy?.close();
  });

  it("redis outage keeps predictions", async () => {
    const flight = { ...FLIGHT, departure: "2026-12-24T19:41" };
    await postJson(`${origin.url}/predict`, flight);
    expect((await postJson(`${origin.url}/predict`, flight)).headers.get("x-cache")).toBe("HIT");

    await proxy.cut();
    const during = await postJson(`${origin.url}/predict`, flight);
    expect(during.status).toBe(200);
    expect(during.headers.get("x-cache")).toBe("MISS");
    expect((await readyStatus(origin)).dependencies.cache.status).toBe("degraded");

    await proxy.restore();
    await waitFor(() => origin.services.cache.isHealthy());
    expect((await postJson(`${origin.url}/predict`, flight)).headers.get("x-cache")).toBe("HIT");
  });
});
