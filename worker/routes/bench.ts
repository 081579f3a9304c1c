// Benchmark-only route: POST /__bench/inference?rows=N runs the edge model on N cached feature rows.
// It returns 404 unless the BENCH_ROUTES var is "true": `[env.load.vars]` sets it, as does `wrangler dev --var BENCH_ROUTES:true`.

import { Hono } from "hono";
import { FEATURE_COUNT, writeFeatures } from "../../core/features";
import { ApiError } from "../../core/http/errors";
import { edgeTables, loadEdgeModel, scoreRows } from "../inference/edge-model";
import type { AppEnv } from "../app-env";

/** Upper bound on rows per call: 100,000 rows of 17 float32 features take 6.8 MB. */
const MAX_BENCH_ROWS = 100_000;

/** Feature rows built on the first call and kept, so that a timed call spends its time in the model. */
let benchFeatureRows: Float32Array | undefined;

export const benchRoutes = new Hono<AppEnv>().post("/__bench/inference", async (c) => {
  if (c.env.BENCH_ROUTES !== "true") {
    throw new ApiError(404, "not_found", { code: "not_found", params: { method: c.req.method, path: c.req.path } });
  }
  const rows = Number(c.req.query("rows") ?? "1");
  if (!Number.isInteger(rows) || rows < 1 || rows > MAX_BENCH_ROWS) {
    throw new ApiError(400, "invalid_request", { code: "invalid_request" });
  }

  const model = await loadEdgeModel();
  const features = benchFeatures().subarray(0, rows * FEATURE_COUNT);

  const started = performance.now();
  const probabilities = await scoreRows(model, features, rows);
  const inIsolateMs = performance.now() - started;

  // The mean keeps the response small and proves the output was read.
  let sum = 0;
  for (const p of probabilities) sum += p;
  return c.json({ rows, mean_probability: sum / rows, in_isolate_ms: inIsolateMs });
});

/** Cycles through the model's routes and the minutes of one week, so rows take different tree paths. */
function benchFeatures(): Float32Array {
  if (benchFeatureRows) return benchFeatureRows;
  const tables = edgeTables();
  const routes = [...tables.routes.entries()];
  const weekStart = Date.UTC(2001, 5, 4) / 60_000; // Monday, 4 June 2001
  const out = new Float32Array(MAX_BENCH_ROWS * FEATURE_COUNT);
  for (let r = 0; r < MAX_BENCH_ROWS; r++) {
    const [key, route] = routes[(r * 7919) % routes.length]!;
    const [origin, destination] = key.split("-") as [string, string];
    const localMinute = weekStart + ((r * 37) % (7 * 1440));
    writeFeatures(tables, { origin, destination, localMinute, distanceMiles: route.distanceMiles }, out, r * FEATURE_COUNT);
  }
  benchFeatureRows = out;
  return out;
}
