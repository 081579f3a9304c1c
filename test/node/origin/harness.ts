// Starts the origin in this process on a free port of 127.0.0.1, with real onnxruntime-node
// sessions and, when DATABASE_URL / REDIS_URL are set (as .ci/run does), real PostgreSQL and Redis;
// otherwise PGlite in a temporary folder and the in-process LRU.

import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { pino } from "pino";
import { createApp } from "../../../origin/app";
import { closeServices, createServices } from "../../../origin/bootstrap";
import { loadConfig } from "../../../origin/config";
import type { OriginServices } from "../../../origin/services";

export interface RunningOrigin {
  url: string;
  services: OriginServices;
  stop(): Promise<void>;
}

export async function startOrigin(env: Record<string, string | undefined> = {}): Promise<RunningOrigin> {
  const dataDir = mkdtempSync(join(tmpdir(), "origin-test-pglite-"));
  const config = loadConfig({ ...process.env, PORT: "0", HOST: "127.0.0.1", PGLITE_DATA_DIR: dataDir, ...env });
  const services = await createServices(config, pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }));
  const app = createApp(services);

  const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    services,
    stop: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await closeServices(services);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

/** Counts the rows the prediction log holds for a request id, through the origin's own database. */
export async function loggedRows(services: OriginServices, requestId: string): Promise<number> {
  return services.database.countRows(requestId);
}
