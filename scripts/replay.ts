// `npm run replay`: replays the June 2001 test month through the local Worker over HTTP and
// compares the AUC of the served probabilities with the June AUC in the model card.
//
//   npm run replay                         # every June test row (about 502,000 requests)
//   npm run replay -- --limit 20000        # 20,000 evenly spaced rows, with a sampling error
//   npm run replay -- --concurrency 64

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { formatLocal, fromLocalMinute } from "../core/time";
import { FlightColumnsBuilder, type FlightColumns } from "../training/columns";
import { readVegaFlights } from "../training/data/vega";
import { auc } from "../training/metrics";
import { splitByMonth } from "../training/split";
import { LOAD_TEST_SETTINGS, runConcurrently, type LocalWorker } from "./lib/local-worker";
import { SERVERS, parsePositiveInteger, parseServer, serverUsage, type ServerKind } from "./lib/cli-options";

const PROJECT_ROOT = fileURLToPath(new URL("../", import.meta.url));
const PARQUET_PATH = join(PROJECT_ROOT, "node_modules", "vega-datasets", "data", "flights-3m.parquet");
const DELAY_LABEL_MINUTES = 15;
/** A full run scores the same rows as the model card, so its AUC must agree this closely. */
const MAX_FULL_RUN_AUC_DIFFERENCE = 0.002;
/** Below this sample size the sampling error of the AUC (about 0.009 at 5,000 rows) hides real differences. */
const MIN_LIMIT_ROWS = 5_000;
const PROGRESS_INTERVAL_MS = 5_000;
const MAX_REPORTED_FAILURES = 3;

const USAGE = `Usage: npm run replay -- [options]

Sends the June 2001 test rows of vega-datasets' flights-3m.parquet to POST /predict on a local
Worker on 127.0.0.1 and compares the AUC with the model card.

  --concurrency N   requests in flight at once (default 32)
  --limit N         send N evenly spaced test rows instead of all of them (at least ${MIN_LIMIT_ROWS})
  --allow-small     allow --limit below ${MIN_LIMIT_ROWS}
${serverUsage(20)}
  --env NAME        wrangler environment from wrangler.toml to run (default: ${LOAD_TEST_SETTINGS.environment},
                    whose rate limit allows a replay from one address)
  --help            print this text

Exit status 1 when any response is not 200, or when a full run's AUC differs from the model card by
more than ${MAX_FULL_RUN_AUC_DIFFERENCE}.
`;

interface ReplayOptions {
  concurrency: number;
  limit?: number;
  environment: string;
  server: ServerKind;
}

/** The June test rows that the served model accepts, in file order. */
interface TestRows {
  rows: Uint32Array;
  /** Test rows left out because an airport is missing from the model's tables (serving returns 422). */
  unknownAirportRows: number;
}

interface ModelCard {
  name: string;
  version: string;
  metrics: { test: { rows: number; auc: number } };
  data: { split: { testMonth: string } };
}

interface ReplayResult {
  sent: number;
  seconds: number;
  /** Number of responses per outcome: an HTTP status such as "400", or "network error". */
  outcomes: Map<string, number>;
  failures: string[];
  labels: Uint8Array;
  scores: Float64Array;
  /** Per-row flag, 1 when the row received a 200 with a probability. The AUC uses these rows only. */
  scored: Uint8Array;
  /** Rows that the Worker's D1 log holds for the replay's time window, from GET /stats. */
  loggedRows?: number;
}

/** Maximum wait for the last log batches, which the Worker writes after its responses. */
const LOG_SETTLE_MS = 30_000;

/**
 * Polls GET /stats until the D1 log contains `expected` rows since `since` or the count stops rising,
 * and returns the last count. Every 200 response must have left exactly one row.
 */
async function waitForLoggedRows(worker: LocalWorker, since: string, expected: number): Promise<number> {
  const deadline = performance.now() + LOG_SETTLE_MS;
  let count = -1;
  while (performance.now() < deadline) {
    const until = new Date(Date.now() + 60_000).toISOString();
    const response = await worker.request("GET", `/stats?since=${since}&until=${until}`);
    if (response.status !== 200) throw new Error(`GET /stats returned ${response.status}: ${response.body.slice(0, 300)}`);
    count = (JSON.parse(response.body) as { total: number }).total;
    if (count >= expected) return count;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return count;
}

async function main(): Promise<number> {
  const options = parseOptions();
  if (!options) return 0;

  process.stderr.write(`reading ${PARQUET_PATH} …\n`);
  const columns = await readColumns();
  const testIndexes = splitByMonth(columns).test;

  const server = SERVERS[options.server];
  process.stderr.write(`starting the local Worker: ${server.description} …\n`);
  // NOTE: with --server wrangler-dev, wrangler restarts the Worker when a bundled file changes, and
  // requests in flight then fail with 503. The default bundle is built once at the start.
  const worker = await server.start({ ...LOAD_TEST_SETTINGS, environment: options.environment, logLevel: "warn" });
  try {
    const card = await readServedModelCard(worker);
    const test = keepKnownAirports(columns, testIndexes, card);
    const rows = options.limit === undefined ? test.rows : evenlySpaced(test.rows, options.limit);
    process.stderr.write(
      `model ${card.name} v${card.version}: ${test.rows.length.toLocaleString("en-US")} test rows of ${card.data.split.testMonth} ` +
        `(${test.unknownAirportRows} left out for unknown airports), sending ${rows.length.toLocaleString("en-US")} ` +
        `at concurrency ${options.concurrency} to ${worker.url}\n`,
    );

    const since = new Date(Date.now() - 1000).toISOString();
    const result = await replayRows(worker, columns, rows, options.concurrency);
    result.loggedRows = await waitForLoggedRows(worker, since, result.outcomes.get("200") ?? 0);
    return report(result, card, test, options);
  } finally {
    await worker.stop();
  }
}

function parseOptions(): ReplayOptions | undefined {
  const { values } = parseArgs({
    options: {
      concurrency: { type: "string", default: "32" },
      limit: { type: "string" },
      "allow-small": { type: "boolean", default: false },
      env: { type: "string", default: LOAD_TEST_SETTINGS.environment },
      server: { type: "string", default: "bundle" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return undefined;
  }

  const concurrency = parsePositiveInteger(values.concurrency, "--concurrency");
  const limit = values.limit === undefined ? undefined : parsePositiveInteger(values.limit, "--limit");
  if (limit !== undefined && limit < MIN_LIMIT_ROWS && !values["allow-small"]) {
    throw new Error(
      `--limit ${limit} is below ${MIN_LIMIT_ROWS} rows, where the AUC's sampling error is about 0.009 or more. ` +
        "Pass a larger --limit, or add --allow-small to run it anyway.",
    );
  }
  return { concurrency, limit, environment: values.env, server: parseServer(values.server) };
}

async function readColumns(): Promise<FlightColumns> {
  const builder = new FlightColumnsBuilder();
  await readVegaFlights({ path: PARQUET_PATH }, (record) => builder.add(record));
  return builder.build();
}

/** Reads the card of the model that the Worker reports in GET /health, so both sides describe the same model. */
async function readServedModelCard(worker: LocalWorker): Promise<ModelCard> {
  const response = await worker.request("GET", "/health");
  const health = JSON.parse(response.body) as { model?: { name?: string; version?: string } };
  const { name, version } = health.model ?? {};
  if (response.status !== 200 || !name || !version) {
    throw new Error(`GET /health returned ${response.status} without a model name and version: ${response.body}`);
  }
  const path = join(PROJECT_ROOT, "models", name, version, "model-card.json");
  return JSON.parse(readFileSync(path, "utf8")) as ModelCard;
}

/**
 * Drops test rows with an airport that is missing from the model's tables, as training did before
 * computing the card's test metrics. The Worker rejects those rows with a 422.
 */
function keepKnownAirports(columns: FlightColumns, rows: Uint32Array, card: ModelCard): TestRows {
  const tablesPath = join(PROJECT_ROOT, "models", card.name, card.version, "tables.json");
  const tables = JSON.parse(readFileSync(tablesPath, "utf8")) as { airports: Record<string, unknown> };
  const known = columns.airportCodes.map((code) => code in tables.airports);
  const knownRows = rows.filter((i) => known[columns.origin[i]!]! && known[columns.destination[i]!]!);
  return { rows: knownRows, unknownAirportRows: rows.length - knownRows.length };
}

/** Picks `count` rows at equal steps through `rows`, so every part of the month is represented. */
function evenlySpaced(rows: Uint32Array, count: number): Uint32Array {
  if (count >= rows.length) return rows;
  return Uint32Array.from({ length: count }, (_, k) => rows[Math.floor((k * rows.length) / count)]!);
}

function requestBody(columns: FlightColumns, row: number): string {
  return JSON.stringify({
    origin: columns.airportCodes[columns.origin[row]!],
    destination: columns.airportCodes[columns.destination[row]!],
    departure: formatLocal(fromLocalMinute(columns.scheduledMinute[row]!)),
    distance_miles: columns.distanceMiles[row],
  });
}

async function replayRows(
  worker: LocalWorker,
  columns: FlightColumns,
  rows: Uint32Array,
  concurrency: number,
): Promise<ReplayResult> {
  const result: ReplayResult = {
    sent: 0,
    seconds: 0,
    outcomes: new Map(),
    failures: [],
    labels: new Uint8Array(rows.length),
    scores: new Float64Array(rows.length),
    scored: new Uint8Array(rows.length),
  };
  const started = performance.now();
  const stopProgress = startProgress(result, rows.length, started);

  try {
    await runConcurrently(rows.length, concurrency, async (k) => {
      const row = rows[k]!;
      result.labels[k] = columns.arrivalDelayMinutes[row]! >= DELAY_LABEL_MINUTES ? 1 : 0;
      await sendRow(worker, requestBody(columns, row), k, result);
    });
  } finally {
    stopProgress();
  }

  result.seconds = (performance.now() - started) / 1000;
  return result;
}

/** Sends one row and records its outcome. A failed request is counted and reported, not thrown. */
async function sendRow(worker: LocalWorker, body: string, k: number, result: ReplayResult): Promise<void> {
  let outcome: string;
  let detail: string;
  try {
    const response = await worker.request("POST", "/predict", body);
    outcome = String(response.status);
    detail = response.body.slice(0, 300);
    const probability = response.status === 200 ? readProbability(response.body) : undefined;
    if (probability !== undefined) {
      result.scores[k] = probability;
      result.scored[k] = 1;
    } else if (response.status === 200) {
      outcome = "200 without delay_probability";
    }
  } catch (error) {
    outcome = "network error";
    detail = (error as Error).message;
  }

  result.sent++;
  result.outcomes.set(outcome, (result.outcomes.get(outcome) ?? 0) + 1);
  if (outcome !== "200" && result.failures.length < MAX_REPORTED_FAILURES) {
    result.failures.push(`${outcome} for ${body}: ${detail}`);
  }
}

function readProbability(body: string): number | undefined {
  try {
    const value = (JSON.parse(body) as { delay_probability?: unknown }).delay_probability;
    return typeof value === "number" && Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Writes rows sent and the request rate of the last interval to stderr. Returns a function that stops it. */
function startProgress(result: ReplayResult, total: number, started: number): () => void {
  let lastSent = 0;
  let lastTime = started;
  const timer = setInterval(() => {
    const now = performance.now();
    const rate = ((result.sent - lastSent) * 1000) / (now - lastTime);
    [lastSent, lastTime] = [result.sent, now];
    const percent = ((100 * result.sent) / total).toFixed(1);
    process.stderr.write(
      `sent ${result.sent.toLocaleString("en-US")} / ${total.toLocaleString("en-US")} rows (${percent}%), ` +
        `${Math.round(rate).toLocaleString("en-US")} requests/s, ${((now - started) / 1000).toFixed(0)} s elapsed\n`,
    );
  }, PROGRESS_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** Prints the summary table and returns the exit status. */
function report(result: ReplayResult, card: ModelCard, test: TestRows, options: ReplayOptions): number {
  const scored = scoredSubset(result);
  const servedAuc = auc(scored.labels, scored.scores);
  const difference = servedAuc - card.metrics.test.auc;
  const nonOk = [...result.outcomes].filter(([outcome]) => outcome !== "200");
  const nonOkCount = nonOk.reduce((sum, [, count]) => sum + count, 0);
  const isFullRun = options.limit === undefined || result.sent === test.rows.length;
  const rowsMatchCard = test.rows.length === card.metrics.test.rows;

  const table: Array<[string, string]> = [
    ["model", `${card.name} v${card.version}`],
    [`test rows of ${card.data.split.testMonth} in the data (known airports)`, formatCount(test.rows.length)],
    [`test rows of ${card.data.split.testMonth} in the model card`, formatCount(card.metrics.test.rows)],
    ["rows sent", formatCount(result.sent)],
    ["non-200 responses", nonOkCount === 0 ? "0" : `${formatCount(nonOkCount)} (${formatOutcomes(nonOk)})`],
    ["rows in the D1 prediction log", result.loggedRows === undefined ? "not read" : formatCount(result.loggedRows)],
    ["AUC from /predict responses", servedAuc.toFixed(6)],
    [`model card AUC (${card.data.split.testMonth}, ${formatCount(card.metrics.test.rows)} rows)`, card.metrics.test.auc.toFixed(6)],
    ["difference", formatSigned(difference)],
  ];
  if (!isFullRun) {
    const standardError = hanleyMcNeilStandardError(servedAuc, scored.labels);
    table.push(["sampling standard error (Hanley–McNeil)", standardError.toFixed(4)]);
    table.push(["difference / standard error", (difference / standardError).toFixed(2)]);
  }
  table.push(["duration", `${result.seconds.toFixed(1)} s (${formatCount(Math.round(result.sent / result.seconds))} requests/s)`]);
  table.push(["concurrency", String(options.concurrency)]);
  printMarkdownTable(table);

  for (const failure of result.failures) process.stdout.write(`example failure: ${failure}\n`);

  const okCount = result.outcomes.get("200") ?? 0;
  return exitStatus({ nonOkCount, isFullRun, rowsMatchCard, difference, logMatches: result.loggedRows === okCount });
}

function exitStatus(check: {
  nonOkCount: number;
  isFullRun: boolean;
  rowsMatchCard: boolean;
  difference: number;
  logMatches: boolean;
}): number {
  const problems: string[] = [];
  if (check.nonOkCount > 0) problems.push(`${check.nonOkCount} responses were not 200`);
  if (!check.logMatches) problems.push("the D1 prediction log does not hold one row per 200 response");
  if (check.isFullRun && !check.rowsMatchCard) {
    problems.push("the number of test rows differs from the model card, so the AUCs describe different rows");
  }
  if (check.isFullRun && !(Math.abs(check.difference) <= MAX_FULL_RUN_AUC_DIFFERENCE)) {
    problems.push(`the AUC differs from the model card by more than ${MAX_FULL_RUN_AUC_DIFFERENCE}`);
  }

  if (problems.length === 0) {
    process.stdout.write(check.isFullRun ? `PASS: |difference| ≤ ${MAX_FULL_RUN_AUC_DIFFERENCE}\n` : "PASS: every response was 200\n");
    return 0;
  }
  process.stdout.write(`FAIL: ${problems.join("; ")}\n`);
  return 1;
}

function scoredSubset(result: ReplayResult): { labels: Uint8Array; scores: Float64Array } {
  const indexes = [...result.scored.keys()].filter((k) => result.scored[k] === 1);
  return {
    labels: Uint8Array.from(indexes, (k) => result.labels[k]!),
    scores: Float64Array.from(indexes, (k) => result.scores[k]!),
  };
}

/**
 * Standard error of an AUC from a sample, by Hanley and McNeil (Radiology, 1982):
 * SE² = (A(1 − A) + (P − 1)(Q1 − A²) + (N − 1)(Q2 − A²)) / (P N), with Q1 = A / (2 − A) and
 * Q2 = 2A² / (1 + A), where P and N count the delayed and on-time flights.
 */
function hanleyMcNeilStandardError(area: number, labels: Uint8Array): number {
  const positives = labels.reduce((sum, label) => sum + label, 0);
  const negatives = labels.length - positives;
  const q1 = area / (2 - area);
  const q2 = (2 * area * area) / (1 + area);
  const variance =
    (area * (1 - area) + (positives - 1) * (q1 - area * area) + (negatives - 1) * (q2 - area * area)) /
    (positives * negatives);
  return Math.sqrt(variance);
}

function printMarkdownTable(rows: Array<[string, string]>): void {
  const lines = ["| Measure | Value |", "| --- | ---: |", ...rows.map(([name, value]) => `| ${name} | ${value} |`)];
  process.stdout.write(lines.join("\n") + "\n");
}

function formatOutcomes(outcomes: Array<[string, number]>): string {
  return outcomes.map(([outcome, count]) => `${outcome}: ${formatCount(count)}`).join(", ");
}

function formatCount(value: number): string {
  return value.toLocaleString("en-US");
}

/** Formats with a sign and 6 decimals, or in exponent notation when that would print as ±0.000000. */
function formatSigned(value: number): string {
  const sign = value >= 0 ? "+" : "";
  const text = value !== 0 && Math.abs(value) < 5e-7 ? value.toExponential(1) : value.toFixed(6);
  return sign + text;
}

main().then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    process.stderr.write(`replay failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
