// GET /stats: read-only counts and latency percentiles of logged predictions in a time window.

import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { predictionStats } from "../db/stats";
import { ApiError } from "../../core/http/errors";
import { errorText, logEvent } from "../log";

const DAY_MS = 24 * 60 * 60 * 1000;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z$/;

export const statsRoutes = new Hono<AppEnv>().get("/stats", async function stats(c) {
  const until = parseTime(c.req.query("until"), "until") ?? new Date();
  const since = parseTime(c.req.query("since"), "since") ?? new Date(until.getTime() - DAY_MS);
  if (since >= until) throw new ApiError(400, "invalid_request", { code: "empty_time_window" }, [
    { field: "since", message: { code: "empty_time_window" } },
  ]);

  try {
    const result = await predictionStats(c.env.DB, since.toISOString(), until.toISOString());
    return c.json({ since: since.toISOString(), until: until.toISOString(), ...result });
  } catch (error) {
    logEvent("error", "stats_query_failed", { request_id: c.get("requestId"), error: errorText(error) });
    throw new ApiError(503, "stats_unavailable", { code: "stats_unavailable" }, [], { "Retry-After": "5" });
  }
});

function parseTime(value: string | undefined, field: string): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (!ISO_UTC.test(value) || Number.isNaN(date.getTime())) {
    const message = { code: "invalid_time_window" as const, params: { field, value } };
    throw new ApiError(400, "invalid_request", message, [{ field, message }]);
  }
  return date;
}
