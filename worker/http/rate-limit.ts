// Per-client rate limiting with the Workers rate-limiting binding, as the Kubernetes ingress did it:
// a fixed number of requests per period per client IP.

import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { readConfig } from "../config";
import { errorText, logEvent } from "../log";
import { ApiError } from "../../core/http/errors";

/**
 * Rejects a client over its limit with 429, `Retry-After` and the IETF `RateLimit-Policy` /
 * `RateLimit` headers. The binding only returns allowed or not, so the reset time is stated as the
 * full period, the longest a client can have to wait. A failing binding lets the request through
 * (fail open): an outage of the limiter should not become an outage of predictions.
 *
 * The limit and period that the headers state come from the RATE_LIMIT_* vars, which must match
 * the binding's own settings in wrangler.toml (a test checks that they do).
 *
 * @example
 * app.use(rateLimit(["/health"]));
 */
export function rateLimit(exemptPaths: string[]) {
  return createMiddleware<AppEnv>(async function rateLimitByClient(c, next) {
    if (exemptPaths.includes(c.req.path)) return next();
    const policy = readConfig(c.env).rateLimit;

    // Cloudflare sets CF-Connecting-IP on every request; without it (a local tool) the clients share one key.
    const key = c.req.header("cf-connecting-ip") ?? "unknown-client";
    let allowed = true;
    try {
      allowed = (await c.env.RATE_LIMITER.limit({ key })).success;
    } catch (error) {
      logEvent("error", "rate_limiter_failed", { request_id: c.get("requestId"), error: errorText(error) });
    }

    c.header("RateLimit-Policy", `"per-client";q=${policy.limit};w=${policy.periodSeconds}`);
    if (!allowed) {
      const message = { code: "rate_limited" as const, params: { limit: policy.limit, period: policy.periodSeconds } };
      throw new ApiError(429, "rate_limited", message, [], {
        "Retry-After": String(policy.periodSeconds),
        RateLimit: `"per-client";r=0;t=${policy.periodSeconds}`,
      });
    }
    await next();
  });
}
