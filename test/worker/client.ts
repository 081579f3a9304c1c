// Helpers for Worker tests: requests from distinct client addresses, so the 10-per-minute rate
// limit only applies where a test means it to.

import { exports } from "cloudflare:workers";

let nextClient = 1;

/** Returns a client address (IPv6 documentation range) not used by any earlier request of this file. */
export function newClientIp(): string {
  return `2001:db8::${(nextClient++).toString(16)}`;
}

export function fetchWorker(path: string, init: RequestInit = {}, clientIp = newClientIp()): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has("cf-connecting-ip")) headers.set("cf-connecting-ip", clientIp);
  return exports.default.fetch(`http://edge.test${path}`, { ...init, headers });
}

export function postJson(path: string, body: unknown, headers: Record<string, string> = {}, clientIp?: string): Promise<Response> {
  return fetchWorker(
    path,
    {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    },
    clientIp,
  );
}

export interface ErrorBody {
  error: { code: string; message: string; details: Array<{ field: string; message: string }> };
  request_id: string;
}
