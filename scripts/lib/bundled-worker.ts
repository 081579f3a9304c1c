// Runs the bundle that `wrangler deploy` would upload in one local workerd process through Miniflare's
// API, with the bindings and vars of a wrangler.toml environment.
//
// `wrangler dev` puts a second workerd process in front of the Worker (its proxy for reloads and the
// inspector), and every request crosses a loopback HTTP hop between the two. Production has no such
// hop, and it costs a POST with a body about 0.3 ms more than a GET, so latency benchmarks measure
// this launcher instead. It returns the same `LocalWorker` interface as `startLocalWorker`.

import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { promisify } from "node:util";
import { Miniflare, type WorkerOptions } from "miniflare";
import { unstable_readConfig } from "wrangler";
import {
  HOST,
  LOG_TAIL_LINES,
  PROJECT_ROOT,
  applyD1Migrations,
  findFreePorts,
  sendRequest,
  wranglerEnv,
  type LocalWorker,
  type LocalWorkerOptions,
} from "./local-worker";
import { forEachLine } from "./process-group";

const BUILD_TIMEOUT_MS = 120_000;

/** The parts of wrangler's resolved configuration that become Miniflare options. */
interface ResolvedConfig {
  compatibility_date: string;
  compatibility_flags: string[];
  vars: Record<string, string | number | boolean>;
  kv_namespaces: Array<{ binding: string; id: string }>;
  d1_databases: Array<{ binding: string; database_id: string }>;
  ratelimits: Array<{ name: string; simple: { limit: number; period: number } }>;
}

/**
 * Builds the Worker with `wrangler deploy --dry-run` and starts it on a free port of 127.0.0.1.
 * D1 migrations are applied with wrangler into the same persistence folder Miniflare then opens.
 *
 * @example
 * const worker = await startBundledWorker(LOAD_TEST_SETTINGS);
 * try { console.log((await worker.request("GET", "/health")).body); } finally { await worker.stop(); }
 */
export async function startBundledWorker(options: LocalWorkerOptions = {}): Promise<LocalWorker> {
  const workDir = await mkdtemp(join(tmpdir(), "flight-delay-bundle-"));
  const bundleDir = join(workDir, "bundle");
  const persistDir = join(workDir, "state");
  const tail: string[] = [];
  let mf: Miniflare | undefined;
  const agent = new http.Agent({ keepAlive: true });
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      agent.destroy();
      await mf?.dispose();
      await rm(workDir, { recursive: true, force: true });
    })());

  try {
    await buildBundle(bundleDir, options.environment);
    for (const binding of options.d1Migrations ?? []) await applyD1Migrations(binding, persistDir, options.environment);

    const [port] = (await findFreePorts(1)) as [number];
    const startedAt = performance.now();
    const onLine = (line: string) => {
      tail.push(line);
      if (tail.length > LOG_TAIL_LINES) tail.shift();
      options.onLogLine?.(line);
    };
    mf = new Miniflare({
      host: HOST,
      port,
      defaultPersistRoot: join(persistDir, "v3"),
      handleRuntimeStdio: (stdout: Readable, stderr: Readable) => forEachLine([stdout, stderr], onLine),
      ...(await workerOptions(bundleDir, options)),
    });
    await mf.ready;

    const request: LocalWorker["request"] = (method, path, jsonBody) => sendRequest(agent, port, method, path, jsonBody);
    const healthStarted = performance.now();
    const health = await request("GET", "/health");
    if (health.status !== 200) throw new Error(`GET /health returned ${health.status}: ${health.body}`);
    const startup = { readyMs: performance.now() - startedAt, firstHealthMs: performance.now() - healthStarted };

    return { url: `http://${HOST}:${port}`, startup, request, reloadCount: () => 0, logTail: () => [...tail], stop };
  } catch (error) {
    await stop();
    throw new Error(`Bundled Worker failed to start: ${(error as Error).message}\nLast output:\n${tail.join("\n")}`, { cause: error });
  }
}

async function buildBundle(outDir: string, environment?: string): Promise<void> {
  const args = ["wrangler", "deploy", "--dry-run", "--outdir", outDir, ...(environment ? ["--env", environment] : [])];
  await promisify(execFile)("npx", args, { cwd: PROJECT_ROOT, env: wranglerEnv(), timeout: BUILD_TIMEOUT_MS });
}

/** Miniflare options for the bundle: its modules, the environment's vars and bindings. */
async function workerOptions(bundleDir: string, options: LocalWorkerOptions): Promise<WorkerOptions> {
  const config = unstable_readConfig({ config: join(PROJECT_ROOT, "wrangler.toml"), env: options.environment }, {}) as unknown as ResolvedConfig;

  // index.js must come first: workerd takes the first module as the entry point.
  const files = (await readdir(bundleDir)).filter((name) => /\.(js|wasm|onnx)$/.test(name));
  files.sort((a, b) => Number(b === "index.js") - Number(a === "index.js"));
  const modules = files.map((name) => ({
    type: name.endsWith(".js") ? ("ESModule" as const) : name.endsWith(".wasm") ? ("CompiledWasm" as const) : ("Data" as const),
    path: join(bundleDir, name),
  }));

  return {
    modules,
    modulesRoot: bundleDir,
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: config.compatibility_flags,
    bindings: { ...config.vars, ...options.vars },
    kvNamespaces: Object.fromEntries(config.kv_namespaces.map((kv) => [kv.binding, kv.id])),
    d1Databases: Object.fromEntries(config.d1_databases.map((d1) => [d1.binding, d1.database_id])),
    ratelimits: Object.fromEntries(config.ratelimits.map((limit) => [limit.name, { simple: limit.simple }])),
  };
}
