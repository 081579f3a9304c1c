import { timingSafeEqual } from "node:crypto";
import { createMiddleware } from "hono/factory";
import { ApiError } from "../../core/http/errors";
import type { OriginEnv } from "../app-env";

export const SECRET_HEADER = "x-origin-secret";

/** Probes and metrics stay open so that load balancers and Prometheus need no secret. */
const OPEN_PATHS = new Set(["/health", "/ready", "/metrics"]);

/**
 * Requires the shared secret in X-Origin-Secret when one is configured; the edge Worker sends it.
 * Without a configured secret every request passes (local development).
 */
export function requireSharedSecret(secret: string | undefined) {
  const expected = secret ? Buffer.from(secret) : undefined;
  return createMiddleware<OriginEnv>(async function checkSharedSecret(c, next) {
    if (!expected || OPEN_PATHS.has(c.req.path)) return next();
    const received = Buffer.from(c.req.header(SECRET_HEADER) ?? "");
    // Constant-time comparison, so response timing does not reveal how much of a guess was right.
    if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
      throw new ApiError(401, "unauthorized", { code: "unauthorized" });
    }
    await next();
  });
}
