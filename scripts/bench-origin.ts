// `npm run bench:origin`: throughput, latency and memory of the origin service (origin/main.ts).
// Starts its own origin on a free port of 127.0.0.1 with the prediction log and the cache on, sends
// bounded traffic from this process, and prints Markdown tables with PASS/FAIL against the targets.
// The targets are reported, not asserted, so the exit status is 0 unless a step fails.
//
//   npm run bench:origin
//   npm run bench:origin -- --quick

import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import { createServer, type AddressInfo } from "node:net";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { forEachOutputLine, groupIsAlive, signalGroup, trackGroup, untrackGroup } from "./lib/process-group";
import * as ort from "onnxruntime-node";
import pg from "pg";
import { FEATURE_COUNT, writeFeatures } from "../core/features";
import { canonicalizeFlight } from "../core/flight";
import { formatLocal, fromLocalMinute, MINUTES_PER_DAY, toLocalMinute } from "../core/time";
import { CHUNK_ROWS } from "../origin/batch/score";
import { loadModels, type LoadedModel } from "../origin/models";
import { runConcurrently } from "./lib/local-worker";

const PROJECT_ROOT = fileURLToPath(new URL("../", import.meta.url));
const HOST = "127.0.0.1";
const FIXTURE_PATH = join(PROJECT_ROOT, "test/fixtures/parity/edge-1.json");
/** The production bundle that the container image runs (`npm run build:origin`). */
const ORIGIN_ENTRY = "dist/origin/main.mjs";
const DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test";
/** Redis database 15, emptied at the start of each run, so predictions cached by an earlier run cannot turn misses into hits. */
const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15";

const TARGETS = { predictRequestsPerSecond: 4_500, predictConcurrency: 16, batchShareOfRaw: 0.5, peakRssMb: 300 };
const CONCURRENCY_LEVELS = [1, 16, 64];
const HEALTH_ENDPOINT = "GET /health (HTTP floor)";
const PREDICT_ENDPOINT = "POST /predict (full model)";

/** Request and row counts of a full run. `--quick` divides each by QUICK_DIVISOR. */
const FULL_SIZES = { warmUpRequests: 1_000, requestsPerLevel: 5_000, batchRows: 200_000, memoryRows: 1_000_000 };
const QUICK_DIVISOR = 10;

/** Rows per write of a streamed batch body, about 100 kB of NDJSON. */
const BODY_WRITE_ROWS = 1_000;
/** Passes over the rows of the raw onnxruntime measurement. The report shows the median pass. */
const RAW_PASSES = 3;
const RSS_SAMPLE_INTERVAL_MS = 100;
const READY_TIMEOUT_MS = 60_000;
const READY_POLL_INTERVAL_MS = 200;
const LOG_DRAIN_TIMEOUT_MS = 120_000;
/** The origin waits up to SHUTDOWN_GRACE_MS (10 s by default) for in-flight requests, then writes its log rows. */
const STOP_TIMEOUT_MS = 20_000;
const PROBE_TIMEOUT_MS = 1_000;
const ORIGIN_LOG_TAIL_LINES = 20;

/**
 * The /predict bodies shift the fixture's June-2001 departures by a whole number of 31-day windows,
 * so every pass over the fixture sends flights that the cache has not stored yet. Each run takes a
 * random slot of WINDOWS_PER_SLOT windows, which keeps a second run from hitting the cache entries
 * of the first unless both draw the same slot (a 1 in SLOT_COUNT chance).
 */
const WINDOW_DAYS = 31;
const WINDOWS_PER_SLOT = 8;
const SLOT_COUNT = 400;

const USAGE = `Usage: npm run bench:origin -- [options]

Starts the origin (node ${ORIGIN_ENTRY}, built by npm run build:origin) on a free port of 127.0.0.1 with LOG_LEVEL=warn
and measures POST /predict, POST /predict/batch and the origin's peak RSS from this process.

  --quick           10 times fewer requests and rows (${FULL_SIZES.requestsPerLevel / QUICK_DIVISOR} requests per concurrency level,
                    ${FULL_SIZES.batchRows / QUICK_DIVISOR} rows per batch, ${FULL_SIZES.memoryRows / QUICK_DIVISOR} rows in the memory run)
  --embedded        use PGlite and the in-process LRU cache even when PostgreSQL
                    (${DEFAULT_DATABASE_URL}) and Redis (${DEFAULT_REDIS_URL}) answer
  --cpu-prof DIR    start the origin with node --cpu-prof and write its profile to DIR on exit
  --help            print this text

The prediction log stays on, so a full run writes about 1.4 million rows to the predictions table of
the database it uses (140,000 with --quick).
`;

interface BenchOptions {
  quick: boolean;
  embedded: boolean;
  cpuProfileDir?: string;
  sizes: typeof FULL_SIZES;
}

interface FixtureFlight {
  origin: string;
  destination: string;
  departure: string;
  distance_miles: number;
}

/** Prediction log database and cache that the origin uses in this run. */
interface StateChoice {
  databaseUrl?: string;
  redisUrl?: string;
  description: string;
}

interface OriginProcess {
  pid: number;
  port: number;
  command: string;
  /** The last lines the origin wrote to stdout or stderr. */
  logTail(): string[];
  /** Number of lines the origin wrote. At LOG_LEVEL=warn each one is a warning or an error. */
  logLineCount(): number;
  stop(): Promise<void>;
}

interface RequestLoop {
  endpoint: string;
  concurrency: number;
  requests: number;
  /** CPU time of the origin process (all threads, user + system) during the loop. */
  originCpuSeconds: number;
  inference: InferenceTotals;
  nonOk: number;
  cacheHits: number;
  p50Ms: number;
  p99Ms: number;
  requestsPerSecond: number;
}

type BatchFormat = "ndjson" | "csv";

interface BatchRun {
  format: BatchFormat;
  status: number;
  rowsSent: number;
  rowsReturned: number;
  errorRows: number;
  seconds: number;
  rowsPerSecond: number;
  /** Time from the end of the response until the origin's prediction log buffer was empty. */
  logDrainSeconds: number;
  /** CPU time of the origin process from the request start until the log buffer was empty. */
  originCpuSeconds: number;
  inference: InferenceTotals;
}

/**
 * Change of the origin's model_inference_duration_seconds histogram (full model) over a phase. Its
 * timer wraps `await scoreRows(…)`, so a call also counts the time it waited for the event loop.
 */
interface InferenceTotals {
  seconds: number;
  calls: number;
}

interface RawInference {
  rows: number;
  chunkRows: number;
  rowsPerSecond: number;
}

interface MemoryRun {
  /** VmRSS right after the origin became ready, before any benchmark request. */
  startRssMb: number;
  batch: BatchRun;
  peakRssMb: number;
  samples: number;
  /** VmHWM at the end of the run: the peak RSS since the origin started, all phases included. */
  highWaterMarkMb: number;
}

interface BenchResults {
  /** /proc/loadavg before and after the run; other processes on the machine compete for the same CPUs. */
  loadBefore: string;
  loadAfter: string;
  state: StateChoice;
  origin: OriginProcess;
  ready: unknown;
  requestLoops: RequestLoop[];
  batches: BatchRun[];
  raw: RawInference;
  memory: MemoryRun;
}

async function main(): Promise<void> {
  const options = parseOptions();
  if (!options) return;

  const flights = readFixture();
  const state = await chooseState(options.embedded);
  process.stderr.write(`prediction log and cache: ${state.description}\n`);

  // A fresh PGlite folder per run, so the bench never shares one with an origin started elsewhere.
  const pgliteDir = await mkdtemp(join(tmpdir(), "flight-delay-bench-pglite-"));
  try {
    const origin = await startOrigin(state, pgliteDir, options.cpuProfileDir);
    try {
      const results = await runBenchmarks(options, flights, state, origin);
      printReport(options, results);
    } finally {
      await origin.stop();
    }
  } finally {
    await rm(pgliteDir, { recursive: true, force: true });
  }
}

function parseOptions(): BenchOptions | undefined {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      embedded: { type: "boolean", default: false },
      "cpu-prof": { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return undefined;
  }

  const divisor = values.quick ? QUICK_DIVISOR : 1;
  const sizes = {
    warmUpRequests: FULL_SIZES.warmUpRequests / divisor,
    requestsPerLevel: FULL_SIZES.requestsPerLevel / divisor,
    batchRows: FULL_SIZES.batchRows / divisor,
    memoryRows: FULL_SIZES.memoryRows / divisor,
  };
  return {
    quick: values.quick,
    embedded: values.embedded,
    ...(values["cpu-prof"] ? { cpuProfileDir: values["cpu-prof"] } : {}),
    sizes,
  };
}

async function runBenchmarks(options: BenchOptions, flights: FixtureFlight[], state: StateChoice, origin: OriginProcess): Promise<BenchResults> {
  const loadBefore = readLoadAverage();
  const startRssMb = kbToMb(readStatusKb(origin.pid, "VmRSS"));
  const ready = await getJson(origin.port, "/ready");
  const requestLoops = await measureRequests(origin, flights, options.sizes);

  const batches: BatchRun[] = [];
  for (const format of ["ndjson", "csv"] as const) {
    process.stderr.write(`POST /predict/batch, ${format}: ${options.sizes.batchRows} rows …\n`);
    batches.push(await runBatch(origin, format, flights, options.sizes.batchRows));
  }

  process.stderr.write(`raw onnxruntime-node session.run: ${options.sizes.batchRows} rows × ${RAW_PASSES} passes …\n`);
  const raw = await measureRawInference(flights, options.sizes.batchRows);

  process.stderr.write(`memory run, ndjson: ${options.sizes.memoryRows} rows …\n`);
  const memory = { startRssMb, ...(await measureMemory(origin, flights, options.sizes.memoryRows)) };
  return { loadBefore, loadAfter: readLoadAverage(), state, origin, ready, requestLoops, batches, raw, memory };
}

function readFixture(): FixtureFlight[] {
  const fixture = JSON.parse(readFileSync(FIXTURE_PATH, "utf8")) as { rows: FixtureFlight[] };
  if (!Array.isArray(fixture.rows) || fixture.rows.length === 0) throw new Error(`no rows in ${FIXTURE_PATH}`);
  return fixture.rows.map(({ origin, destination, departure, distance_miles }) => ({ origin, destination, departure, distance_miles }));
}

// ---------------------------------------------------------------------------------------------
// Prediction log and cache

async function chooseState(embedded: boolean): Promise<StateChoice> {
  if (embedded) return { description: "PGlite and in-process LRU (--embedded)" };

  const [postgresUp, redisUp] = await Promise.all([probePostgres(DEFAULT_DATABASE_URL), probeRedis(DEFAULT_REDIS_URL)]);
  const database = postgresUp ? `PostgreSQL (${DEFAULT_DATABASE_URL})` : `PGlite (PostgreSQL at ${DEFAULT_DATABASE_URL} did not answer)`;
  const cache = redisUp ? `Redis (${DEFAULT_REDIS_URL})` : `in-process LRU (Redis at ${DEFAULT_REDIS_URL} did not answer)`;
  return {
    ...(postgresUp ? { databaseUrl: DEFAULT_DATABASE_URL } : {}),
    ...(redisUp ? { redisUrl: DEFAULT_REDIS_URL } : {}),
    description: `${database}, ${cache}`,
  };
}

async function probePostgres(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
  // A connection that fails after connect() resolved emits 'error', and without a listener Node exits.
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Checks that Redis responds to PING and empties the bench's database. */
async function probeRedis(url: string): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: PROBE_TIMEOUT_MS,
    commandTimeout: PROBE_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    if ((await redis.ping()) !== "PONG") return false;
    await redis.flushdb();
    return true;
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

// ---------------------------------------------------------------------------------------------
// Origin process


/**
 * Builds and spawns the origin bundle (`node dist/origin/main.mjs`, as the image runs it) in its own
 * process group, so the child pid is the server's (the one to sample RSS from) and stop() can
 * signal the whole group.
 */
async function startOrigin(state: StateChoice, pgliteDir: string, cpuProfileDir?: string): Promise<OriginProcess> {
  const port = await findFreePort();
  const profileArgs = cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${cpuProfileDir}`] : [];
  execFileSync("npm", ["run", "--silent", "build:origin"], { cwd: PROJECT_ROOT, stdio: "ignore" });
  const args = [...profileArgs, ORIGIN_ENTRY];
  const child = spawn(process.execPath, args, {
    cwd: PROJECT_ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: originEnv(state, port, pgliteDir),
  });
  if (child.pid === undefined) throw new Error(`spawning ${process.execPath} ${args.join(" ")} failed: no process id`);
  trackGroup(child.pid, pgliteDir);

  const log = captureOutput(child);
  let stopped: Promise<void> | undefined;
  const origin: OriginProcess = {
    pid: child.pid,
    port,
    command: `node ${args.join(" ")}`,
    logTail: () => [...log.tail],
    logLineCount: () => log.count,
    stop: () => (stopped ??= stopGroup(child.pid!)),
  };

  process.stderr.write(`starting the origin on ${HOST}:${port} (pid ${child.pid}) …\n`);
  try {
    await waitForReady(child, port);
  } catch (error) {
    await origin.stop();
    const tail = log.tail.length > 0 ? log.tail.join("\n") : "(no output)";
    throw new Error(`The origin failed to start: ${(error as Error).message}\nLast origin output:\n${tail}`, { cause: error });
  }
  return origin;
}

function originEnv(state: StateChoice, port: number, pgliteDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOST,
    PORT: String(port),
    // warn keeps the per-request access log line from dominating the measurement.
    LOG_LEVEL: "warn",
    PGLITE_DATA_DIR: pgliteDir,
    // The memory settings of origin/Dockerfile's runtime stage.
    MALLOC_TRIM_THRESHOLD_: "131072",
    NODE_OPTIONS: "--max-semi-space-size=4",
  };
  // Settings inherited from the shell must not redirect the origin to other servers or make it
  // demand a shared secret that the bench does not send.
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  delete env.ORIGIN_SHARED_SECRET;
  if (state.databaseUrl) env.DATABASE_URL = state.databaseUrl;
  if (state.redisUrl) env.REDIS_URL = state.redisUrl;
  return env;
}

/**
 * Asks the OS for an unused port of 127.0.0.1. Another process could take it before the origin
 * binds it, in which case the origin exits and the start fails with its output.
 */
async function findFreePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, HOST, resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Keeps the last lines of the origin's output and counts them. Reading also keeps the pipes from filling up. */
function captureOutput(child: ChildProcess): { tail: string[]; count: number } {
  const log = { tail: [] as string[], count: 0 };
  const onLine = (line: string) => {
    log.count++;
    log.tail.push(line);
    if (log.tail.length > ORIGIN_LOG_TAIL_LINES) log.tail.shift();
  };
  child.on("error", (error) => onLine(`spawning the origin failed: ${error.message}`));
  forEachOutputLine(child, onLine);
  return log;
}

/** Polls GET /ready until it returns 200 (which it also does with degraded dependencies). */
async function waitForReady(child: ChildProcess, port: number): Promise<void> {
  const deadline = performance.now() + READY_TIMEOUT_MS;
  let lastProblem = "no response yet";
  while (performance.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the origin exited with ${child.exitCode ?? child.signalCode} before GET /ready returned 200`);
    }
    try {
      const response = await request(port, "GET", "/ready");
      if (response.status === 200) return;
      lastProblem = `GET /ready returned ${response.status}`;
    } catch (error) {
      lastProblem = `GET /ready failed: ${(error as Error).message}`;
    }
    await sleep(READY_POLL_INTERVAL_MS);
  }
  throw new Error(`GET /ready did not return 200 within ${READY_TIMEOUT_MS} ms (last result: ${lastProblem})`);
}

/** Sends SIGTERM to the group, which lets the origin write its buffered log rows, then SIGKILL after STOP_TIMEOUT_MS. */
async function stopGroup(pid: number): Promise<void> {
  signalGroup(pid, "SIGTERM");
  const deadline = performance.now() + STOP_TIMEOUT_MS;
  while (groupIsAlive(pid) && performance.now() < deadline) await sleep(100);
  if (groupIsAlive(pid)) {
    process.stderr.write(`the origin (process group ${pid}) did not stop within ${STOP_TIMEOUT_MS} ms of SIGTERM; sending SIGKILL\n`);
    signalGroup(pid, "SIGKILL");
  }
  untrackGroup(pid);
}

// ---------------------------------------------------------------------------------------------
// HTTP

interface HttpResponse {
  status: number;
  body: string;
}

/** Sends one request on a fresh connection, for probes and control requests outside the timed loops. */
function request(port: number, method: "GET" | "POST", path: string, body?: string, agent: http.Agent | false = false): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = body === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(body) };
    const req = http.request({ host: HOST, port, method, path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function getJson(port: number, path: string): Promise<unknown> {
  const response = await request(port, "GET", path);
  if (response.status !== 200) throw new Error(`GET ${path} returned ${response.status}: ${response.body}`);
  return JSON.parse(response.body) as unknown;
}

// ---------------------------------------------------------------------------------------------
// POST /predict

/**
 * Runs GET /health at the target concurrency as the floor of HTTP and middleware cost, then
 * POST /predict at each concurrency level, each after an untimed warm-up.
 */
async function measureRequests(origin: OriginProcess, flights: FixtureFlight[], sizes: BenchOptions["sizes"]): Promise<RequestLoop[]> {
  const warmUpConcurrency = TARGETS.predictConcurrency;
  const sendHealth = (agent: http.Agent) => sendRequest(agent, origin.port, "GET", "/health");
  process.stderr.write(`GET /health: ${sizes.warmUpRequests} warm-up and ${sizes.requestsPerLevel} timed requests at concurrency ${warmUpConcurrency} …\n`);
  await runRequestLoop(origin, HEALTH_ENDPOINT, sizes.warmUpRequests, warmUpConcurrency, sendHealth);
  const loops = [await runRequestLoop(origin, HEALTH_ENDPOINT, sizes.requestsPerLevel, warmUpConcurrency, sendHealth)];

  const total = sizes.warmUpRequests + sizes.requestsPerLevel * CONCURRENCY_LEVELS.length;
  const bodies = predictBodies(flights, total);
  let next = 0;
  const sendPredict = (agent: http.Agent) => sendRequest(agent, origin.port, "POST", "/predict", bodies[next++]);

  process.stderr.write(`POST /predict warm-up: ${sizes.warmUpRequests} requests at concurrency ${warmUpConcurrency} …\n`);
  await runRequestLoop(origin, PREDICT_ENDPOINT, sizes.warmUpRequests, warmUpConcurrency, sendPredict);
  for (const concurrency of CONCURRENCY_LEVELS) {
    process.stderr.write(`POST /predict: ${sizes.requestsPerLevel} requests at concurrency ${concurrency} …\n`);
    loops.push(await runRequestLoop(origin, PREDICT_ENDPOINT, sizes.requestsPerLevel, concurrency, sendPredict));
  }
  return loops;
}

/**
 * Builds `count` /predict bodies for the full model from the fixture's flights. Pass k over the
 * fixture moves the departures k windows later, inside this run's random slot (see WINDOW_DAYS).
 */
function predictBodies(flights: FixtureFlight[], count: number): string[] {
  const slot = 1 + Math.floor(Math.random() * (SLOT_COUNT - 1));
  const passes = Math.ceil(count / flights.length);
  if (passes > WINDOWS_PER_SLOT) {
    process.stderr.write(`warning: ${count} requests need ${passes} passes over the fixture; passes after ${WINDOWS_PER_SLOT} repeat flights and can hit the cache\n`);
  }

  return Array.from({ length: count }, (_, i) => {
    const flight = flights[i % flights.length]!;
    const window = slot * WINDOWS_PER_SLOT + (Math.floor(i / flights.length) % WINDOWS_PER_SLOT);
    const departure = shiftDeparture(flight.departure, window * WINDOW_DAYS);
    return JSON.stringify({ ...flight, departure, model: "full" });
  });
}

/** Moves a `YYYY-MM-DDTHH:MM` local time by whole days. */
function shiftDeparture(departure: string, days: number): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(departure);
  if (!match) throw new Error(`fixture departure "${departure}" is not YYYY-MM-DDTHH:MM`);
  const [, year, month, day, hour, minute] = match.map(Number) as [number, number, number, number, number, number];
  return formatLocal(fromLocalMinute(toLocalMinute({ year, month, day, hour, minute }) + days * MINUTES_PER_DAY));
}

/** Sends `requests` requests with `concurrency` in flight over as many keep-alive connections. */
async function runRequestLoop(
  origin: OriginProcess,
  endpoint: string,
  requests: number,
  concurrency: number,
  send: (agent: http.Agent) => Promise<LoopResponse>,
): Promise<RequestLoop> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies = new Float64Array(requests);
  let nonOk = 0;
  let cacheHits = 0;

  const inferenceStarted = await readInferenceTotals(origin.port);
  const cpuStarted = readCpuSeconds(origin.pid);
  const started = performance.now();
  try {
    await runConcurrently(requests, concurrency, async (index) => {
      const requestStarted = performance.now();
      const response = await send(agent);
      latencies[index] = performance.now() - requestStarted;
      if (response.status !== 200) nonOk++;
      if (response.cache === "HIT") cacheHits++;
    });
  } finally {
    agent.destroy();
  }
  const seconds = (performance.now() - started) / 1000;
  const originCpuSeconds = readCpuSeconds(origin.pid) - cpuStarted;
  const inference = subtractTotals(await readInferenceTotals(origin.port), inferenceStarted);

  latencies.sort();
  return {
    endpoint,
    concurrency,
    requests,
    originCpuSeconds,
    inference,
    nonOk,
    cacheHits,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    requestsPerSecond: requests / seconds,
  };
}

interface LoopResponse {
  status: number;
  /** The X-Cache header: HIT, MISS, or empty when the route sets none. */
  cache: string;
}

/** Sends one request over the agent and reads the whole response without keeping it. */
function sendRequest(agent: http.Agent, port: number, method: "GET" | "POST", path: string, body?: string): Promise<LoopResponse> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = body === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(body) };
    const req = http.request({ host: HOST, port, method, path, agent, headers }, (res) => {
      const cache = String(res.headers["x-cache"] ?? "");
      res.on("error", reject);
      res.on("end", () => resolve({ status: res.statusCode ?? 0, cache }));
      res.resume();
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[rank - 1]!;
}

// ---------------------------------------------------------------------------------------------
// POST /predict/batch

const CONTENT_TYPES: Record<BatchFormat, string> = { ndjson: "application/x-ndjson", csv: "text/csv" };
const CSV_HEADER = "origin,destination,departure,distance_miles,reference\n";

/**
 * Streams `rows` fixture rows (repeated as needed) as the request body, reads the response while it
 * is sent, and counts the result rows. The time runs from the request start to the response end.
 */
async function runBatch(origin: OriginProcess, format: BatchFormat, flights: FixtureFlight[], rows: number): Promise<BatchRun> {
  const blocks = bodyBlocks(format, flights);
  const counter = new ResultRowCounter(format);
  const port = origin.port;

  const inferenceStarted = await readInferenceTotals(port);
  const cpuStarted = readCpuSeconds(origin.pid);
  const started = performance.now();
  const status = await new Promise<number>((resolve, reject) => {
    const req = http.request(
      { host: HOST, port, method: "POST", path: "/predict/batch?model=full", agent: false, headers: { "content-type": CONTENT_TYPES[format] } },
      (res) => {
        res.on("data", (chunk: Buffer) => counter.push(chunk));
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    writeBody(req, format, blocks, rows).catch((error: unknown) => req.destroy(error as Error));
  });
  const seconds = (performance.now() - started) / 1000;
  counter.finish();

  const drainStarted = performance.now();
  await waitForLogDrain(port);
  return {
    format,
    status,
    rowsSent: rows,
    rowsReturned: counter.rows,
    errorRows: counter.errors,
    seconds,
    rowsPerSecond: rows / seconds,
    logDrainSeconds: (performance.now() - drainStarted) / 1000,
    originCpuSeconds: readCpuSeconds(origin.pid) - cpuStarted,
    inference: subtractTotals(await readInferenceTotals(port), inferenceStarted),
  };
}

/** The fixture as request-body text, in blocks of BODY_WRITE_ROWS rows (the last block may be shorter). */
function bodyBlocks(format: BatchFormat, flights: FixtureFlight[]): string[][] {
  const lines = flights.map((flight, i) => (format === "ndjson" ? ndjsonLine(flight, i) : csvLine(flight, i)));
  const blocks: string[][] = [];
  for (let start = 0; start < lines.length; start += BODY_WRITE_ROWS) blocks.push(lines.slice(start, start + BODY_WRITE_ROWS));
  return blocks;
}

function ndjsonLine(flight: FixtureFlight, index: number): string {
  return JSON.stringify({ ...flight, reference: `fixture-${index + 1}` }) + "\n";
}

function csvLine(flight: FixtureFlight, index: number): string {
  return `${flight.origin},${flight.destination},${flight.departure},${flight.distance_miles},fixture-${index + 1}\n`;
}

/** Writes `rows` rows from the blocks in turn, waiting for 'drain' whenever the socket buffer is full. */
async function writeBody(req: http.ClientRequest, format: BatchFormat, blocks: string[][], rows: number): Promise<void> {
  const joined = blocks.map((block) => Buffer.from(block.join("")));
  if (format === "csv") req.write(CSV_HEADER);

  let written = 0;
  for (let b = 0; written < rows; b = (b + 1) % blocks.length) {
    const remaining = rows - written;
    const block = blocks[b]!;
    const chunk = remaining >= block.length ? joined[b]! : Buffer.from(block.slice(0, remaining).join(""));
    written += Math.min(remaining, block.length);
    if (!req.write(chunk)) await waitForDrain(req);
  }
  req.end();
}

function waitForDrain(req: http.ClientRequest): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      req.off("error", onError);
      resolve();
    };
    const onError = (error: Error) => {
      req.off("drain", onDrain);
      reject(error);
    };
    req.once("drain", onDrain);
    req.once("error", onError);
  });
}

/**
 * Counts result rows in a streamed batch response without parsing them. An NDJSON error row contains
 * `"error":`. A CSV result row with a prediction ends in three empty cells (error_code, error_field
 * and error_message), and an error row does not.
 */
class ResultRowCounter {
  rows = 0;
  errors = 0;
  private carry: Buffer = Buffer.alloc(0);
  private headerPending: boolean;

  constructor(private readonly format: BatchFormat) {
    this.headerPending = format === "csv";
  }

  push(chunk: Buffer): void {
    const data = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    let start = 0;
    for (let end = data.indexOf(0x0a); end !== -1; end = data.indexOf(0x0a, start)) {
      this.countLine(data.subarray(start, end));
      start = end + 1;
    }
    this.carry = Buffer.from(data.subarray(start));
  }

  /** Counts a last line that has no line break. */
  finish(): void {
    if (this.carry.length > 0) this.countLine(this.carry);
    this.carry = Buffer.alloc(0);
  }

  private countLine(line: Buffer): void {
    if (this.headerPending) {
      this.headerPending = false;
      return;
    }
    if (line.length === 0) return;
    this.rows++;
    if (this.isError(line)) this.errors++;
  }

  private isError(line: Buffer): boolean {
    if (this.format === "ndjson") return line.includes('"error":');
    const tail = line.subarray(-3).toString("latin1");
    return tail !== ",,,";
  }
}

/** Reads the full model's model_inference_duration_seconds sum and count from GET /metrics. */
async function readInferenceTotals(port: number): Promise<InferenceTotals> {
  const response = await request(port, "GET", "/metrics");
  if (response.status !== 200) throw new Error(`GET /metrics returned ${response.status}: ${response.body.slice(0, 200)}`);
  const value = (suffix: "sum" | "count") => {
    const pattern = new RegExp(`^model_inference_duration_seconds_${suffix}\\{[^}]*model_type="full"[^}]*\\} (\\S+)$`, "m");
    // The series appears only after the first inference of the full model.
    return Number(pattern.exec(response.body)?.[1] ?? 0);
  };
  return { seconds: value("sum"), calls: value("count") };
}

function subtractTotals(after: InferenceTotals, before: InferenceTotals): InferenceTotals {
  return { seconds: after.seconds - before.seconds, calls: after.calls - before.calls };
}

/** Polls GET /ready until the origin's prediction log buffer is empty, so the next phase starts without a backlog. */
async function waitForLogDrain(port: number): Promise<void> {
  const deadline = performance.now() + LOG_DRAIN_TIMEOUT_MS;
  while (performance.now() < deadline) {
    const ready = (await getJson(port, "/ready")) as { dependencies?: { database?: { pending_log_rows?: number } } };
    if (ready.dependencies?.database?.pending_log_rows === 0) return;
    await sleep(READY_POLL_INTERVAL_MS);
  }
  throw new Error(`the origin's prediction log still had pending rows ${LOG_DRAIN_TIMEOUT_MS} ms after the batch; check the database`);
}

// ---------------------------------------------------------------------------------------------
// Raw onnxruntime-node

/**
 * Times session.run of the full model in this process on the batch rows, in chunks of the origin's
 * CHUNK_ROWS. loadModels is the origin's own loader, so the session options are the origin's. The
 * feature matrix is built before the clock starts.
 */
async function measureRawInference(flights: FixtureFlight[], rows: number): Promise<RawInference> {
  // The same folder as the origin's MODELS_DIR, which it resolves from its working directory PROJECT_ROOT.
  const models = await loadModels(resolve(PROJECT_ROOT, process.env.MODELS_DIR ?? "models"));
  try {
    const features = repeatRows(fixtureFeatures(flights, models.full), flights.length, rows);
    await runChunks(models.full.session, features, Math.min(rows, 10 * CHUNK_ROWS));

    const passes: number[] = [];
    for (let pass = 0; pass < RAW_PASSES; pass++) {
      const started = performance.now();
      await runChunks(models.full.session, features, rows);
      passes.push(rows / ((performance.now() - started) / 1000));
    }
    return { rows, chunkRows: CHUNK_ROWS, rowsPerSecond: median(passes) };
  } finally {
    await Promise.allSettled([models.full.session.release(), models.edge.session.release()]);
  }
}

/** Features of every fixture flight, validated and canonicalized as the origin does before writeFeatures. */
function fixtureFeatures(flights: FixtureFlight[], model: LoadedModel): Float32Array {
  const features = new Float32Array(flights.length * FEATURE_COUNT);
  flights.forEach((flight, i) => {
    const result = canonicalizeFlight(flight, model.tables, `${model.name} v${model.version}`);
    if (!result.ok) throw new Error(`fixture row ${i + 1} is not valid for the ${model.name} model: ${JSON.stringify(result.problems)}`);
    writeFeatures(model.tables, result.flight, features, i * FEATURE_COUNT);
  });
  return features;
}

function repeatRows(source: Float32Array, sourceRows: number, rows: number): Float32Array {
  const out = new Float32Array(rows * FEATURE_COUNT);
  for (let start = 0; start < rows; start += sourceRows) {
    const count = Math.min(sourceRows, rows - start);
    out.set(source.subarray(0, count * FEATURE_COUNT), start * FEATURE_COUNT);
  }
  return out;
}

async function runChunks(session: ort.InferenceSession, features: Float32Array, rows: number): Promise<void> {
  const inputName = session.inputNames[0]!;
  for (let start = 0; start < rows; start += CHUNK_ROWS) {
    const count = Math.min(CHUNK_ROWS, rows - start);
    const data = features.subarray(start * FEATURE_COUNT, (start + count) * FEATURE_COUNT);
    await session.run({ [inputName]: new ort.Tensor("float32", data, [count, FEATURE_COUNT]) });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

// ---------------------------------------------------------------------------------------------
// Memory

/** Runs a large NDJSON batch while sampling the origin's VmRSS every RSS_SAMPLE_INTERVAL_MS. */
async function measureMemory(origin: OriginProcess, flights: FixtureFlight[], rows: number): Promise<Omit<MemoryRun, "startRssMb">> {
  let peakKb = readStatusKb(origin.pid, "VmRSS");
  let samples = 1;
  const timer = setInterval(() => {
    try {
      peakKb = Math.max(peakKb, readStatusKb(origin.pid, "VmRSS"));
      samples++;
    } catch (error) {
      // The origin exited, so the batch fails too and reports it. Sampling stops here.
      process.stderr.write(`reading the origin's VmRSS failed: ${(error as Error).message}\n`);
      clearInterval(timer);
    }
  }, RSS_SAMPLE_INTERVAL_MS);

  try {
    const batch = await runBatch(origin, "ndjson", flights, rows);
    return { batch, peakRssMb: kbToMb(peakKb), samples, highWaterMarkMb: kbToMb(readStatusKb(origin.pid, "VmHWM")) };
  } finally {
    clearInterval(timer);
  }
}

/** Reads one `Name: N kB` field of /proc/<pid>/status. */
function readStatusKb(pid: number, field: "VmRSS" | "VmHWM"): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(status);
  if (!match) throw new Error(`/proc/${pid}/status has no ${field} line`);
  return Number(match[1]);
}

/** Clock ticks per second of the utime and stime fields in /proc/<pid>/stat. */
let clockTicksPerSecond: number | undefined;

/** Reads the CPU time (user + system, all threads) that a process has used so far, in seconds. */
function readCpuSeconds(pid: number): number {
  clockTicksPerSecond ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name in field 2 can contain spaces, so the fields are counted after its closing bracket.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const userTicks = Number(fields[11]);
  const systemTicks = Number(fields[12]);
  return (userTicks + systemTicks) / clockTicksPerSecond;
}

function readLoadAverage(): string {
  return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
}

/** Converts the kB of /proc (1,024 bytes) to MB of 10^6 bytes, the unit of the target. */
function kbToMb(kb: number): number {
  return (kb * 1024) / 1e6;
}

// ---------------------------------------------------------------------------------------------
// Report

function printReport(options: BenchOptions, results: BenchResults): void {
  const out: string[] = [];
  const command = `npm run bench:origin${options.quick ? " -- --quick" : ""}`;
  out.push(`Measured ${new Date().toISOString().slice(0, 10)} with \`${command}\` on ${describeMachine()}, Node ${process.version}.`);
  out.push(
    `Origin: \`${results.origin.command}\` (pid ${results.origin.pid}) on ${HOST}:${results.origin.port}, LOG_LEVEL=warn, ` +
      `prediction log and cache: ${results.state.description}.`,
  );
  out.push(`GET /ready at start: \`${JSON.stringify(results.ready)}\``);
  out.push("Client: this process, node:http with a keep-alive Agent (maxSockets = concurrency), on the same machine.");
  out.push(`Load average (1, 5, 15 min) before: ${results.loadBefore}, after: ${results.loadAfter}. Other processes share these CPUs.`);
  out.push("Origin CPU: user + system time of the origin process (all threads) from /proc/<pid>/stat, in steps of 10 ms.");
  out.push(
    "Inference: change of the origin's model_inference_duration_seconds (full model) over the phase. Its timer also " +
      "counts the wait for the event loop before session.run, so at concurrency above 1 it includes queueing.",
    "",
  );

  out.push(...requestTable(results.requestLoops), "");
  out.push(...batchTable(results.batches, results.raw), "");
  out.push(...memoryTable(results.memory), "");

  out.push(`Prediction log rows written by this run: ${countLogRows(options.sizes)}.`);
  const logLines = results.origin.logLineCount();
  out.push(`Origin output lines at LOG_LEVEL=warn: ${logLines}.`);
  if (logLines > 0) out.push("Last lines:", "```", ...results.origin.logTail(), "```");
  process.stdout.write(out.join("\n") + "\n");
}

/** Counts the requests and batch rows of a run, each of which writes one prediction log row. */
function countLogRows(sizes: BenchOptions["sizes"]): number {
  const predictRequests = sizes.warmUpRequests + sizes.requestsPerLevel * CONCURRENCY_LEVELS.length;
  return predictRequests + 2 * sizes.batchRows + sizes.memoryRows;
}

function requestTable(loops: RequestLoop[]): string[] {
  const lines = [
    "| Endpoint | Concurrency | Requests | Non-200 | Cache hits | p50 (ms) | p99 (ms) | Requests/s | Origin CPU per request (µs) | Inference per call incl. wait (µs) | Target | Result |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
  ];
  for (const loop of loops) {
    const targeted = loop.endpoint === PREDICT_ENDPOINT && loop.concurrency === TARGETS.predictConcurrency;
    const target = targeted ? `≥ ${TARGETS.predictRequestsPerSecond} requests/s` : "–";
    const result = targeted ? passFail(loop.nonOk === 0 && loop.requestsPerSecond >= TARGETS.predictRequestsPerSecond) : "–";
    const hitShare = loop.endpoint === PREDICT_ENDPOINT ? `${loop.cacheHits} (${formatPercent(loop.cacheHits / loop.requests)})` : "–";
    lines.push(
      `| ${loop.endpoint} | ${loop.concurrency} | ${loop.requests} | ${loop.nonOk} | ${hitShare} | ${loop.p50Ms.toFixed(2)} | ` +
        `${loop.p99Ms.toFixed(2)} | ${Math.round(loop.requestsPerSecond)} | ${Math.round((loop.originCpuSeconds * 1e6) / loop.requests)} | ` +
        `${formatMicroseconds(loop.inference.seconds, loop.inference.calls)} | ${target} | ${result} |`,
    );
  }
  return lines;
}

function batchTable(batches: BatchRun[], raw: RawInference): string[] {
  const lines = [
    "| Batch scoring (full model) | Rows | Status | Rows returned | Error rows | Seconds | Rows/s | Share of raw | Log drain after response (s) | Origin CPU per row incl. drain (µs) | Inference per row incl. wait (µs) | Target | Result |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    `| raw onnxruntime-node session.run in the bench process, chunks of ${raw.chunkRows} (median of ${RAW_PASSES} passes) | ${raw.rows} | – | – | – | ` +
      `${(raw.rows / raw.rowsPerSecond).toFixed(3)} | ${Math.round(raw.rowsPerSecond)} | 100% | – | – | ${(1e6 / raw.rowsPerSecond).toFixed(1)} | – | – |`,
  ];
  for (const batch of batches) {
    const share = batch.rowsPerSecond / raw.rowsPerSecond;
    const pass = isComplete(batch) && share >= TARGETS.batchShareOfRaw;
    lines.push(
      `| POST /predict/batch, ${batch.format.toUpperCase()} end to end | ${batch.rowsSent} | ${batch.status} | ${batch.rowsReturned} | ` +
        `${batch.errorRows} | ${batch.seconds.toFixed(2)} | ${Math.round(batch.rowsPerSecond)} | ${formatPercent(share)} | ` +
        `${batch.logDrainSeconds.toFixed(2)} | ${((batch.originCpuSeconds * 1e6) / batch.rowsSent).toFixed(1)} | ` +
        `${formatMicroseconds(batch.inference.seconds, batch.rowsSent)} | ` +
        `≥ ${formatPercent(TARGETS.batchShareOfRaw)} of raw | ${passFail(pass)} |`,
    );
  }
  return lines;
}

function memoryTable(memory: MemoryRun): string[] {
  const { batch } = memory;
  const pass = isComplete(batch) && memory.peakRssMb < TARGETS.peakRssMb;
  return [
    "| Origin memory | Rows | Status | Rows returned | Seconds | Rows/s | VmRSS at start, idle (MB) | Peak VmRSS during the batch (MB) | RSS samples | VmHWM since start (MB) | Target | Result |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    `| POST /predict/batch, NDJSON | ${batch.rowsSent} | ${batch.status} | ${batch.rowsReturned} | ${batch.seconds.toFixed(2)} | ` +
      `${Math.round(batch.rowsPerSecond)} | ${memory.startRssMb.toFixed(1)} | ${memory.peakRssMb.toFixed(1)} | ${memory.samples} | ` +
      `${memory.highWaterMarkMb.toFixed(1)} | ` +
      `< ${TARGETS.peakRssMb} MB | ${passFail(pass)} |`,
  ];
}

/** Checks that a batch returned 200 and one result row per input row, which a PASS requires. */
function isComplete(batch: BatchRun): boolean {
  return batch.status === 200 && batch.rowsReturned === batch.rowsSent;
}

function formatMicroseconds(seconds: number, count: number): string {
  return count > 0 ? ((seconds * 1e6) / count).toFixed(1) : "–";
}

function passFail(pass: boolean): string {
  return pass ? "PASS" : "FAIL";
}

function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(fraction < 0.1 && fraction > 0 ? 1 : 0)}%`;
}

function describeMachine(): string {
  const model = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? cpus()[0]?.model ?? "unknown CPU";
  // availableParallelism() is what nproc prints: the CPUs this process may run on.
  return `nproc ${availableParallelism()}, ${model.trim()}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:origin failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
