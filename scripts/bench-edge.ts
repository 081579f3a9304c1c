// `npm run bench:edge`: latency of the Worker under local workerd on 127.0.0.1: by default the deployable
// bundle in one workerd process (scripts/lib/bundled-worker.ts), or `wrangler dev --local` with --server.
// Prints Markdown tables: GET /health (the HTTP floor) and POST /predict at each concurrency, the
// cold start, the in-isolate inference time per row, and PASS/FAIL against the targets. The targets
// are reported, not asserted, so the exit status is 0 unless a step fails.
//
//   npm run bench:edge
//   npm run bench:edge -- --requests 20000 --concurrency 1,4,16

import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { formatLocal, fromLocalMinute, toLocalMinute } from "../core/time";
import {
  LOAD_TEST_SETTINGS,
  runConcurrently,
  type HttpResponse,
  type LocalWorker,
} from "./lib/local-worker";
import { SERVERS, parsePositiveInteger, parseServer, serverUsage, type ServerKind } from "./lib/cli-options";

const PROJECT_ROOT = fileURLToPath(new URL("../", import.meta.url));
const TARGETS = { predictOverHealthP50Ms: 0.3, inferencePerRowUs: 50, coldPredictionMs: 500 };
/** Untimed requests per endpoint before the loops, so JIT compilation and connection set-up are not measured. */
const WARM_UP_REQUESTS = 500;
/**
 * Requests per block. The endpoints take turns in blocks of this size, so a change in machine load
 * during the run affects both endpoints alike instead of biasing their difference.
 */
const BLOCK_REQUESTS = 500;
/** Number of busiest routes from the model's tables that the /predict bodies cycle through. */
const ROUTE_COUNT = 50;
const INFERENCE_ROUTE = "/__bench/inference";
/** Flights that the "repeated flights" row cycles through; the warm-up sends each of them first. */
const REPEATED_FLIGHTS = 50;
const HEALTH = "GET /health";
const PREDICT_NEW = "POST /predict, new flights";
const PREDICT_REPEATED = "POST /predict, repeated flights";

const USAGE = `Usage: npm run bench:edge -- [options]

Starts a fresh local Worker (127.0.0.1 only) and measures it with keep-alive HTTP/1.1 requests from
this process. Each endpoint first gets ${WARM_UP_REQUESTS} untimed warm-up requests.

  --requests N            timed requests per endpoint and concurrency (default 5000)
  --concurrency LIST      comma-separated concurrency levels (default 1,16)
  --inference-rows N      large batch of the in-isolate inference measurement (default 10001)
  --inference-repeats N   calls per batch size, the median is used (default 15)
${serverUsage(26)}
  --env NAME              wrangler environment from wrangler.toml to run (default: ${LOAD_TEST_SETTINGS.environment},
                          whose rate limit allows a benchmark from one address)
  --help                  print this text
`;

interface BenchOptions {
  requests: number;
  concurrencies: number[];
  inferenceRows: number;
  inferenceRepeats: number;
  environment: string;
  server: ServerKind;
}


interface LoopStats {
  endpoint: string;
  concurrency: number;
  requests: number;
  nonOk: number;
  /** Responses with `"cached":true`, which skipped the model. */
  cached: number;
  p50Ms: number;
  p99Ms: number;
  requestsPerSecond: number;
}

interface ColdStart {
  readyMs: number;
  firstHealthMs: number;
  firstPredictMs: number;
  firstPredictStatus: number;
  secondPredictMs: number;
}

/**
 * Handler latencies that the Worker's access log reports for POST /predict without a cache hit (latency_ms, from
 * performance.now()) in the loop with the lowest concurrency, where requests do not wait for each other.
 */
interface AccessLogClock {
  concurrency: number;
  samples: number;
  nonZero: number;
  meanMs: number;
}

interface Endpoint {
  name: string;
  send: () => Promise<HttpResponse>;
}

/** Latencies and counts of one endpoint at one concurrency, collected over its blocks. */
interface Samples {
  latencies: number[];
  seconds: number;
  nonOk: number;
  cached: number;
}

type InferenceResult =
  | { available: true; rows: number; perRowHttpUs: number; perRowInIsolateUs?: number }
  | { available: false; reason: string };

async function main(): Promise<void> {
  const options = parseOptions();
  if (!options) return;

  const accessLog = { collecting: false, latencies: [] as number[] };
  const server = SERVERS[options.server];
  process.stderr.write(`starting a fresh local Worker: ${server.description} …\n`);
  const worker = await server.start({
    ...LOAD_TEST_SETTINGS,
    // Enables POST /__bench/inference in a Worker that has that route. Other routes ignore the var.
    vars: { BENCH_ROUTES: "true" },
    environment: options.environment,
    onLogLine: (line) => collectPredictLatency(line, accessLog),
  });

  try {
    const cold = await measureColdStart(worker);
    // One body per request on the "new flights" row, so the Worker's prediction cache cannot serve
    // it. The "repeated flights" row cycles through the first bodies, which the warm-up has cached.
    const bodies = predictBodies(await readServedTables(worker), WARM_UP_REQUESTS + options.requests * options.concurrencies.length);
    const repeatedBodies = bodies.slice(0, REPEATED_FLIGHTS);
    let nextBody = 0;
    let nextRepeatedBody = 0;
    const endpoints: Endpoint[] = [
      { name: HEALTH, send: () => worker.request("GET", "/health") },
      { name: PREDICT_NEW, send: () => worker.request("POST", "/predict", bodies[nextBody++ % bodies.length]) },
      {
        name: PREDICT_REPEATED,
        send: () => worker.request("POST", "/predict", repeatedBodies[nextRepeatedBody++ % repeatedBodies.length]),
      },
    ];

    process.stderr.write(`warming up with ${WARM_UP_REQUESTS} requests per endpoint …\n`);
    await compareEndpoints(endpoints, WARM_UP_REQUESTS, 16);

    const loops: LoopStats[] = [];
    const clockConcurrency = Math.min(...options.concurrencies);
    for (const concurrency of options.concurrencies) {
      process.stderr.write(`concurrency ${concurrency}: ${options.requests} requests per endpoint …\n`);
      // collectPredictLatency keeps only /predict lines, so the /health blocks add nothing.
      accessLog.collecting = concurrency === clockConcurrency;
      loops.push(...(await compareEndpoints(endpoints, options.requests, concurrency)));
      accessLog.collecting = false;
    }

    process.stderr.write("measuring in-isolate inference …\n");
    const inference = await measureInference(worker, options);
    printReport(options, loops, cold, summarizeClock(accessLog.latencies, clockConcurrency), inference, worker.reloadCount());
  } finally {
    await worker.stop();
  }
}

function parseOptions(): BenchOptions | undefined {
  const { values } = parseArgs({
    options: {
      requests: { type: "string", default: "5000" },
      concurrency: { type: "string", default: "1,16" },
      "inference-rows": { type: "string", default: "10001" },
      "inference-repeats": { type: "string", default: "15" },
      env: { type: "string", default: LOAD_TEST_SETTINGS.environment },
      server: { type: "string", default: "bundle" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return undefined;
  }

  const inferenceRows = parsePositiveInteger(values["inference-rows"], "--inference-rows");
  if (inferenceRows < 2) throw new Error(`--inference-rows must be at least 2, got ${inferenceRows}`);
  return {
    requests: parsePositiveInteger(values.requests, "--requests"),
    concurrencies: values.concurrency.split(",").map((text) => parsePositiveInteger(text.trim(), "--concurrency")),
    inferenceRows,
    inferenceRepeats: parsePositiveInteger(values["inference-repeats"], "--inference-repeats"),
    environment: values.env,
    server: parseServer(values.server),
  };
}

/** Records latency_ms of POST /predict access-log lines that ran the model (no cache hit) while collecting. */
function collectPredictLatency(line: string, accessLog: { collecting: boolean; latencies: number[] }): void {
  if (!accessLog.collecting || !line.startsWith("{")) return;
  try {
    const entry = JSON.parse(line) as { event?: string; route?: string; latency_ms?: number; cache?: string };
    if (entry.event !== "request" || entry.route !== "/predict" || entry.cache === "hit") return;
    if (typeof entry.latency_ms !== "number") return;
    accessLog.latencies.push(entry.latency_ms);
  } catch {
    // A line that is not valid JSON (mixed with other output) is skipped. The mean uses the other lines.
  }
}

/** Times the first POST /predict of the fresh server, which creates the ONNX session, and the second one. */
async function measureColdStart(worker: LocalWorker): Promise<ColdStart> {
  const body = JSON.stringify({ origin: "ORD", destination: "LGA", departure: "2026-12-24T18:30", distance_miles: 733 });
  const first = await timeRequest(() => worker.request("POST", "/predict", body));
  const second = await timeRequest(() => worker.request("POST", "/predict", body));
  return {
    readyMs: worker.startup.readyMs,
    firstHealthMs: worker.startup.firstHealthMs,
    firstPredictMs: first.ms,
    firstPredictStatus: first.response.status,
    secondPredictMs: second.ms,
  };
}

async function timeRequest(send: () => Promise<HttpResponse>): Promise<{ ms: number; response: HttpResponse }> {
  const started = performance.now();
  const response = await send();
  return { ms: performance.now() - started, response };
}

interface RouteTable {
  flightsPerDay: number;
  distanceMiles: number;
}

/** Reads the lookup tables of the model that GET /health reports. */
async function readServedTables(worker: LocalWorker): Promise<Record<string, RouteTable>> {
  const response = await worker.request("GET", "/health");
  const { model } = JSON.parse(response.body) as { model?: { name?: string; version?: string } };
  if (response.status !== 200 || !model?.name || !model.version) {
    throw new Error(`GET /health returned ${response.status} without a model name and version: ${response.body}`);
  }
  const path = join(PROJECT_ROOT, "models", model.name, model.version, "tables.json");
  return (JSON.parse(readFileSync(path, "utf8")) as { routes: Record<string, RouteTable> }).routes;
}

/**
 * Builds `count` distinct /predict bodies that cycle through the busiest real routes, with departures
 * one minute apart from 7 December 2026, 00:00 local time.
 */
function predictBodies(routes: Record<string, RouteTable>, count: number): string[] {
  const busiest = Object.entries(routes)
    .sort(([, a], [, b]) => b.flightsPerDay - a.flightsPerDay)
    .slice(0, ROUTE_COUNT);
  const firstDeparture = toLocalMinute({ year: 2026, month: 12, day: 7, hour: 0, minute: 0 });

  return Array.from({ length: count }, (_, i) => {
    const [key, route] = busiest[i % busiest.length]!;
    const [origin, destination] = key.split("-");
    const departure = formatLocal(fromLocalMinute(firstDeparture + i));
    return JSON.stringify({ origin, destination, departure, distance_miles: Math.round(route.distanceMiles) });
  });
}

/**
 * Sends `requests` requests to each endpoint with `concurrency` in flight, the endpoints taking turns
 * in blocks of BLOCK_REQUESTS, and returns latency percentiles and throughput per endpoint.
 */
async function compareEndpoints(endpoints: Endpoint[], requests: number, concurrency: number): Promise<LoopStats[]> {
  const samples: Samples[] = endpoints.map(() => ({ latencies: [], seconds: 0, nonOk: 0, cached: 0 }));

  for (let sent = 0; sent < requests; sent += BLOCK_REQUESTS) {
    const blockSize = Math.min(BLOCK_REQUESTS, requests - sent);
    for (const [i, endpoint] of endpoints.entries()) {
      await runBlock(endpoint, blockSize, concurrency, samples[i]!);
    }
  }

  return endpoints.map((endpoint, i) => summarizeSamples(endpoint.name, concurrency, samples[i]!));
}

async function runBlock(endpoint: Endpoint, requests: number, concurrency: number, samples: Samples): Promise<void> {
  const started = performance.now();
  await runConcurrently(requests, concurrency, async () => {
    const requestStarted = performance.now();
    const response = await endpoint.send();
    samples.latencies.push(performance.now() - requestStarted);
    if (response.status !== 200) samples.nonOk++;
    if (response.body.includes('"cached":true')) samples.cached++;
  });
  samples.seconds += (performance.now() - started) / 1000;
}

function summarizeSamples(endpoint: string, concurrency: number, samples: Samples): LoopStats {
  const sorted = Float64Array.from(samples.latencies).sort();
  return {
    endpoint,
    concurrency,
    requests: sorted.length,
    nonOk: samples.nonOk,
    cached: samples.cached,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    requestsPerSecond: sorted.length / samples.seconds,
  };
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: Float64Array, fraction: number): number {
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[rank - 1]!;
}

function summarizeClock(latencies: number[], concurrency: number): AccessLogClock {
  const sum = latencies.reduce((total, value) => total + value, 0);
  return {
    concurrency,
    samples: latencies.length,
    nonZero: latencies.filter((value) => value > 0).length,
    meanMs: latencies.length > 0 ? sum / latencies.length : Number.NaN,
  };
}

/**
 * Measures the model's time per row inside the isolate with POST /__bench/inference?rows=N. The
 * difference of the median HTTP times for N rows and for 1 row, divided by N − 1, cancels the HTTP
 * and per-call costs. Without the bench route in the Worker the result is `available: false` with the reason.
 */
async function measureInference(worker: LocalWorker, options: BenchOptions): Promise<InferenceResult> {
  const call = (rows: number) => timeRequest(() => worker.request("POST", `${INFERENCE_ROUTE}?rows=${rows}`));

  const probe = await call(1);
  if (probe.response.status !== 200) {
    return {
      available: false,
      reason: `POST ${INFERENCE_ROUTE} returned ${probe.response.status}; the Worker has no bench route enabled`,
    };
  }

  // The first large call builds and caches the bench feature rows in the isolate, so it is not timed.
  await call(options.inferenceRows);

  const small: number[] = [];
  const large: number[] = [];
  const inIsolate: number[] = [];
  for (let repeat = 0; repeat < options.inferenceRepeats; repeat++) {
    small.push((await call(1)).ms);
    const result = await call(options.inferenceRows);
    large.push(result.ms);
    const reported = (JSON.parse(result.response.body) as { in_isolate_ms?: unknown }).in_isolate_ms;
    if (typeof reported === "number") inIsolate.push(reported);
  }

  const extraRows = options.inferenceRows - 1;
  const perRowHttpUs = ((median(large) - median(small)) * 1000) / extraRows;
  const isolateMedian = median(inIsolate);
  return {
    available: true,
    rows: options.inferenceRows,
    perRowHttpUs,
    ...(isolateMedian > 0 ? { perRowInIsolateUs: (isolateMedian * 1000) / options.inferenceRows } : {}),
  };
}

function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function printReport(
  options: BenchOptions,
  loops: LoopStats[],
  cold: ColdStart,
  clock: AccessLogClock,
  inference: InferenceResult,
  reloads: number,
): void {
  const out: string[] = [];
  out.push(`Measured ${new Date().toISOString().slice(0, 10)} with \`npm run bench:edge\` on ${describeMachine()}.`);
  out.push(`Client: node:http keep-alive, same machine, 127.0.0.1. Server: ${SERVERS[options.server].description}.`, "");

  out.push("| Endpoint | Concurrency | Requests | Non-200 | Cached | p50 (ms) | p99 (ms) | Requests/s |");
  out.push("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const loop of loops) {
    out.push(
      `| ${loop.endpoint} | ${loop.concurrency} | ${loop.requests} | ${loop.nonOk} | ${loop.cached} | ${loop.p50Ms.toFixed(3)} | ` +
        `${loop.p99Ms.toFixed(3)} | ${Math.round(loop.requestsPerSecond)} |`,
    );
  }

  out.push("", "| Start-up and inference | Value |", "| --- | ---: |");
  out.push(`| start to first GET /health 200 | ${cold.readyMs.toFixed(0)} ms |`);
  out.push(`| first GET /health (the start-up probe that succeeded) | ${cold.firstHealthMs.toFixed(1)} ms |`);
  out.push(`| cold first POST /predict (status ${cold.firstPredictStatus}) | ${cold.firstPredictMs.toFixed(1)} ms |`);
  out.push(`| second POST /predict | ${cold.secondPredictMs.toFixed(1)} ms |`);
  out.push(`| in-isolate inference per row | ${describeInference(inference)} |`);
  out.push(
    `| /predict handler time of new flights from the access log (mean at concurrency ${clock.concurrency}, 1 ms clock steps) | ` +
      `${describeClock(clock)} |`,
  );

  // The latency target applies where requests do not wait for each other: at higher concurrency the
  // single local isolate queues them, so the p50 gap there grows with the CPU time per request and
  // is reported as a difference only.
  out.push("", "| Target | Measured | Result |", "| --- | ---: | --- |");
  const judged = Math.min(...options.concurrencies);
  for (const concurrency of options.concurrencies) {
    const atConcurrency = loops.filter((loop) => loop.concurrency === concurrency);
    const health = atConcurrency.find((loop) => loop.endpoint === HEALTH)!;
    for (const predict of atConcurrency.filter((loop) => loop !== health)) {
      const gap = predict.p50Ms - health.p50Ms;
      const target = concurrency === judged ? `within ${TARGETS.predictOverHealthP50Ms} ms of` : "compared with";
      const result = concurrency === judged ? verdict(gap <= TARGETS.predictOverHealthP50Ms) : "queueing, not judged";
      out.push(
        `| ${predict.endpoint}: p50 ${target} /health p50 (concurrency ${concurrency}) | ` +
          `${gap >= 0 ? "+" : ""}${gap.toFixed(3)} ms | ${result} |`,
      );
    }
  }
  out.push(
    `| in-isolate inference ≤ ${TARGETS.inferencePerRowUs} µs per row | ` +
      (inference.available
        ? `${inference.perRowHttpUs.toFixed(1)} µs | ${verdict(inference.perRowHttpUs <= TARGETS.inferencePerRowUs)} |`
        : "not measured | n/a |"),
  );
  out.push(
    `| cold first prediction ≤ ${TARGETS.coldPredictionMs} ms | ${cold.firstPredictMs.toFixed(1)} ms | ` +
      `${verdict(cold.firstPredictStatus === 200 && cold.firstPredictMs <= TARGETS.coldPredictionMs)} |`,
  );

  if (reloads > 0) out.push("", `Warning: wrangler reloaded the Worker ${reloads} time(s) during the run, so some requests met a new isolate.`);
  process.stdout.write(out.join("\n") + "\n");
}

function describeInference(inference: InferenceResult): string {
  if (!inference.available) return `not measured: ${inference.reason}`;
  const http = `${inference.perRowHttpUs.toFixed(1)} µs (HTTP time of ${inference.rows} rows minus 1 row)`;
  if (inference.perRowInIsolateUs === undefined) return http;
  return `${http}; ${inference.perRowInIsolateUs.toFixed(1)} µs by performance.now() in the isolate`;
}

function describeClock(clock: AccessLogClock): string {
  if (clock.samples === 0) return "no access-log lines received";
  if (clock.nonZero === 0) return `0 ms in all ${clock.samples} requests: the isolate clock did not advance`;
  const share = ((100 * clock.nonZero) / clock.samples).toFixed(1);
  return `${clock.meanMs.toFixed(3)} ms (${share}% of ${clock.samples} requests above 0 ms)`;
}

function verdict(passed: boolean): string {
  return passed ? "PASS" : "FAIL";
}

function describeMachine(): string {
  const processors = cpus();
  const wrangler = (JSON.parse(readFileSync(join(PROJECT_ROOT, "node_modules", "wrangler", "package.json"), "utf8")) as {
    version: string;
  }).version;
  return `${processors[0]?.model ?? "unknown CPU"} × ${processors.length}, Node ${process.versions.node}, wrangler ${wrangler}`;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:edge failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
