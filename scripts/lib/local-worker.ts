// Starts the Worker under `wrangler dev --local` (workerd on 127.0.0.1) for scripts and tests, and
// sends requests to it over keep-alive HTTP connections.
//
// The HTTP client is node:http rather than fetch with an undici Agent: `undici` resolves here only as
// a transitive dependency of miniflare (7.x, while Node 20's fetch bundles 6.x), and it is not
// declared in package.json.

import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import { createServer, type AddressInfo, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { forEachOutputLine, groupIsAlive, signalGroup, trackGroup, untrackGroup } from "./process-group";
import { promisify } from "node:util";

export const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const HOST = "127.0.0.1";
export const LOG_TAIL_LINES = 40;
const HEALTH_POLL_INTERVAL_MS = 200;
const HEALTH_PROBE_TIMEOUT_MS = 5_000;
const STOP_GRACE_MS = 5_000;
const REQUEST_TIMEOUT_MS = 30_000;
const MIGRATION_TIMEOUT_MS = 120_000;

/**
 * Settings for replays, benchmarks and tests. The `load` environment of wrangler.toml allows
 * 1,000,000 requests a minute, where the default allows 10 from one address, and the prediction log
 * needs the D1 schema of migrations/ in the fresh persistence folder.
 */
export const LOAD_TEST_SETTINGS = { environment: "load", d1Migrations: ["DB"] } as const;

export interface LocalWorkerOptions {
  /** wrangler environment from wrangler.toml (`--env NAME`). Without it the top-level settings apply. */
  environment?: string;
  /** D1 bindings whose migrations are applied to the fresh persistence folder before the Worker starts. */
  d1Migrations?: readonly string[];
  /** Extra Worker vars, passed as `--var KEY:VALUE`. They override the vars in wrangler.toml. */
  vars?: Record<string, string>;
  /** wrangler's `--log-level`. "warn" drops the per-request access log, which saves CPU in long runs. */
  logLevel?: "debug" | "info" | "log" | "warn" | "error";
  /** Maximum wait for GET /health to return 200, in milliseconds. */
  startupTimeoutMs?: number;
  /** Receives every line that wrangler writes to stdout or stderr. */
  onLogLine?: (line: string) => void;
}

/** Timings of the start-up, in milliseconds. */
export interface StartupTimings {
  /** From spawning wrangler to the first GET /health that returned 200. */
  readyMs: number;
  /** Latency of that first successful GET /health, the first request the Worker served. */
  firstHealthMs: number;
}

export interface HttpResponse {
  status: number;
  body: string;
}

export interface LocalWorker {
  /** Base URL, such as `http://127.0.0.1:40123`. */
  url: string;
  startup: StartupTimings;
  /** Sends one request over the keep-alive agent. Rejects on network errors and timeouts. */
  request(method: "GET" | "POST", path: string, jsonBody?: string): Promise<HttpResponse>;
  /**
   * Number of "Reloading local server" lines: wrangler rebuilt and restarted the Worker because a
   * bundled file changed (a source file, or a package under node_modules). wrangler prints them at
   * log level "log" and below, so with logLevel "warn" or "error" the count stays 0.
   */
  reloadCount(): number;
  /** The last lines wrangler wrote, for error messages. */
  logTail(): string[];
  /** Stops wrangler and workerd (the whole process group) and deletes the persistence folder. */
  stop(): Promise<void>;
}


/**
 * Starts `npx wrangler dev --local` on a free port of 127.0.0.1 and waits until GET /health returns
 * 200. Throws with the last log lines when wrangler exits early or the wait times out.
 *
 * @example
 * const worker = await startLocalWorker();
 * try { console.log((await worker.request("GET", "/health")).body); } finally { await worker.stop(); }
 */
export async function startLocalWorker(options: LocalWorkerOptions = {}): Promise<LocalWorker> {
  const [port, inspectorPort] = (await findFreePorts(2)) as [number, number];
  const persistDir = await mkdtemp(join(tmpdir(), "flight-delay-wrangler-"));
  const url = `http://${HOST}:${port}`;

  try {
    for (const binding of options.d1Migrations ?? []) await applyD1Migrations(binding, persistDir, options.environment);
  } catch (error) {
    await rm(persistDir, { recursive: true, force: true });
    throw error;
  }

  const spawnedAt = performance.now();
  const child = spawnWrangler(port, inspectorPort, persistDir, options);
  trackGroup(child.pid!, persistDir);
  const log = captureLog(child, options.onLogLine);
  const agent = new http.Agent({ keepAlive: true });
  const request = (method: "GET" | "POST", path: string, jsonBody?: string) =>
    sendRequest(agent, port, method, path, jsonBody);

  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= stopProcessGroup(child).then(() => cleanUp(agent, persistDir)));

  try {
    const firstHealthMs = await waitForHealth(child, request, options.startupTimeoutMs ?? 60_000);
    const startup = { readyMs: performance.now() - spawnedAt, firstHealthMs };
    return { url, startup, request, reloadCount: () => log.reloads, logTail: () => [...log.tail], stop };
  } catch (error) {
    await stop();
    const tail = log.tail.length > 0 ? log.tail.join("\n") : "(no output yet)";
    throw new Error(`Local Worker on ${url} failed to start: ${(error as Error).message}\nLast wrangler output:\n${tail}`, {
      cause: error,
    });
  }
}

/**
 * Asks the OS for `count` unused ports on 127.0.0.1. The probe sockets stay open together so the
 * ports differ, but another process could take one before wrangler binds it.
 */
export async function findFreePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, listenOnAnyPort));
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

function listenOnAnyPort(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, HOST, () => resolve(server));
  });
}

function spawnWrangler(port: number, inspectorPort: number, persistDir: string, options: LocalWorkerOptions): ChildProcess {
  const args = [
    "wrangler", "dev", "--local",
    "--ip", HOST,
    "--port", String(port),
    "--inspector-ip", HOST,
    "--inspector-port", String(inspectorPort),
    "--persist-to", persistDir,
    "--show-interactive-dev-session=false",
    ...(options.environment ? ["--env", options.environment] : []),
    ...(options.logLevel ? ["--log-level", options.logLevel] : []),
    ...Object.entries(options.vars ?? {}).flatMap(([key, value]) => ["--var", `${key}:${value}`]),
  ];

  // detached: the child leads a new process group, so stop() can signal npx, wrangler and both
  // workerd processes at once with kill(-pid).
  const child = spawn("npx", args, { cwd: PROJECT_ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"], env: wranglerEnv() });
  if (child.pid === undefined) throw new Error("spawning npx wrangler failed: no process id");
  return child;
}

/** Runs `wrangler d1 migrations apply BINDING --local` against the persistence folder. */
export async function applyD1Migrations(binding: string, persistDir: string, environment?: string): Promise<void> {
  const args = [
    "wrangler", "d1", "migrations", "apply", binding, "--local",
    "--persist-to", persistDir,
    ...(environment ? ["--env", environment] : []),
  ];
  try {
    await promisify(execFile)("npx", args, { cwd: PROJECT_ROOT, env: wranglerEnv(), timeout: MIGRATION_TIMEOUT_MS });
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(
      `Applying the D1 migrations of ${binding} failed: ${(error as Error).message}\n` +
        `Check the d1_databases entry in wrangler.toml and the migrations folder.\n${stdout}${stderr}`,
      { cause: error },
    );
  }
}

export function wranglerEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    // Keeps every connection on this machine. wrangler 4.86 queries the npm registry for updates
    // when it prints its banner, and miniflare downloads the Request.cf object from
    // workers.cloudflare.com unless CLOUDFLARE_CF_FETCH_ENABLED is "false". CI=true turns off prompts.
    WRANGLER_SEND_METRICS: "false",
    CI: "true",
    WRANGLER_HIDE_BANNER: "true",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    NO_COLOR: "1",
  };
}

interface CapturedLog {
  tail: string[];
  reloads: number;
}

/** Keeps the last lines of wrangler's output and counts reloads. Reading also keeps the pipes from filling up. */
function captureLog(child: ChildProcess, onLogLine?: (line: string) => void): CapturedLog {
  const log: CapturedLog = { tail: [], reloads: 0 };
  const onLine = (line: string) => {
    if (line.includes("Reloading local server")) log.reloads++;
    log.tail.push(line);
    if (log.tail.length > LOG_TAIL_LINES) log.tail.shift();
    onLogLine?.(line);
  };
  child.on("error", (error) => onLine(`npx wrangler failed: ${error.message}`));
  forEachOutputLine(child, onLine);
  return log;
}

/** Polls GET /health until it returns 200 and returns the latency of that response in milliseconds. */
async function waitForHealth(
  child: ChildProcess,
  request: LocalWorker["request"],
  timeoutMs: number,
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  let lastProblem = "no response yet";

  while (performance.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`wrangler exited with ${child.exitCode ?? child.signalCode} before GET /health returned 200`);
    }

    const started = performance.now();
    try {
      const response = await withTimeout(request("GET", "/health"), HEALTH_PROBE_TIMEOUT_MS);
      if (response.status === 200) return performance.now() - started;
      lastProblem = `GET /health returned ${response.status}`;
    } catch (error) {
      lastProblem = `GET /health failed: ${(error as Error).message}`;
    }
    await sleep(HEALTH_POLL_INTERVAL_MS);
  }

  throw new Error(`GET /health did not return 200 within ${timeoutMs} ms (last result: ${lastProblem})`);
}

export function sendRequest(
  agent: http.Agent,
  port: number,
  method: "GET" | "POST",
  path: string,
  jsonBody?: string,
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = {};
    if (jsonBody !== undefined) {
      headers["content-type"] = "application/json";
      headers["content-length"] = Buffer.byteLength(jsonBody);
    }

    const req = http.request({ host: HOST, port, method, path, agent, headers, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`${method} ${path} timed out after ${REQUEST_TIMEOUT_MS} ms`)));
    req.on("error", reject);
    req.end(jsonBody);
  });
}

/**
 * Sends SIGTERM to the process group, then SIGKILL if any member is still alive after STOP_GRACE_MS.
 * The whole group is watched, not only npx, because npx can exit before wrangler and workerd do.
 */
async function stopProcessGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid!;
  signalGroup(pid, "SIGTERM");

  const deadline = performance.now() + STOP_GRACE_MS;
  while (groupIsAlive(pid) && performance.now() < deadline) await sleep(100);
  if (groupIsAlive(pid)) signalGroup(pid, "SIGKILL");

  untrackGroup(pid);
}

async function cleanUp(agent: http.Agent, persistDir: string): Promise<void> {
  agent.destroy();
  await rm(persistDir, { recursive: true, force: true });
}

/**
 * Runs `task(index)` for index 0 … count − 1 with at most `concurrency` tasks in flight. The first
 * rejection stops new tasks from starting and is rethrown after the running ones settle.
 */
export async function runConcurrently(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;

  const lane = async () => {
    while (next < count && !failure) {
      const index = next++;
      try {
        await task(index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };

  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  if (failure) throw failure.error;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
