// Calls the Worker directly with an ExecutionContext and waits for its waitUntil work (cache
// writes, log rows), so tests can check what that work stored.

import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../worker/index";
import { newClientIp } from "./client";

export async function requestAndSettle(
  path: string,
  init: RequestInit = {},
  bindings: Env = env,
): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has("cf-connecting-ip")) headers.set("cf-connecting-ip", newClientIp());
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(`http://edge.test${path}`, { ...init, headers }), bindings, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

export function predictAndSettle(body: unknown, bindings: Env = env, headers: Record<string, string> = {}): Promise<Response> {
  return requestAndSettle(
    "/predict",
    { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) },
    bindings,
  );
}
