// Calls from the edge Worker to the origin: a timeout on each attempt, one retry where the request
// can be repeated safely, a per-isolate circuit breaker, and the shared secret header.

import { ApiError } from "../../core/http/errors";
import { errorText, logEvent } from "../log";
import { CircuitBreaker } from "./circuit-breaker";

export const SECRET_HEADER = "X-Origin-Secret";

const breaker = new CircuitBreaker({ threshold: 5, openMs: 30_000 });

export interface OriginCall {
  path: string;
  method: "GET" | "POST";
  headers: Headers;
  body: BodyInit | null;
  /** True when the request can be sent twice without harm (a single prediction); never for a streamed batch. */
  retryable: boolean;
  requestId: string;
}

/** Thrown when the origin cannot serve a request; routes turn it into 503 with Retry-After. */
export class OriginUnavailableError extends Error {
  constructor(readonly retryAfterSeconds: number, reason: string) {
    super(reason);
    this.name = "OriginUnavailableError";
  }
}

export function originConfigured(env: Env): boolean {
  return Boolean(originUrl(env));
}

/**
 * Sends a request to the origin and returns its response when the origin responded (any status below
 * 500 except 401). Network errors, timeouts, 5xx responses and a rejected shared secret count as
 * failures for the circuit breaker, are retried once when `retryable`, and end in OriginUnavailableError.
 */
export async function callOrigin(env: Env, call: OriginCall): Promise<Response> {
  const base = originUrl(env);
  if (!base) throw new OriginUnavailableError(60, "ORIGIN_URL is not configured");
  const attempts = call.retryable ? 2 : 1;
  let reason = "";

  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (!breaker.allow()) {
      throw new OriginUnavailableError(breaker.retryAfterSeconds(), "circuit open");
    }
    try {
      const response = await fetch(new URL(call.path, base), {
        method: call.method,
        headers: withSecret(call.headers, env),
        body: call.body,
        signal: AbortSignal.timeout(timeoutMs(env)),
      });
      if (response.status < 500 && response.status !== 401) {
        breaker.recordSuccess();
        return response;
      }
      // A 401 means the Worker's ORIGIN_SHARED_SECRET is wrong: an operator problem, not the client's.
      reason = response.status === 401 ? "origin rejected the shared secret (401)" : `origin answered ${response.status}`;
      await response.body?.cancel();
    } catch (error) {
      reason = errorText(error);
    }
    breaker.recordFailure();
    logEvent(attempt < attempts ? "warn" : "error", attempt < attempts ? "origin_retry" : "origin_failed", {
      request_id: call.requestId,
      path: call.path,
      attempt,
      reason,
      circuit: breaker.state(),
    });
  }
  throw new OriginUnavailableError(breaker.retryAfterSeconds(), reason);
}

export function originUnavailable(error: OriginUnavailableError): ApiError {
  return new ApiError(503, "origin_unavailable", { code: "origin_unavailable" }, [], {
    "Retry-After": String(error.retryAfterSeconds),
  });
}

function originUrl(env: Env): string | undefined {
  const url = (env as { ORIGIN_URL?: string }).ORIGIN_URL;
  return url && url.trim() !== "" ? url : undefined;
}

function timeoutMs(env: Env): number {
  const value = Number((env as { ORIGIN_TIMEOUT_MS?: unknown }).ORIGIN_TIMEOUT_MS);
  return Number.isFinite(value) && value > 0 ? value : 5_000;
}

function withSecret(headers: Headers, env: Env): Headers {
  const out = new Headers(headers);
  const secret = (env as { ORIGIN_SHARED_SECRET?: string }).ORIGIN_SHARED_SECRET;
  if (secret) out.set(SECRET_HEADER, secret);
  return out;
}
