import type { Context } from "hono";
import type { AppEnv } from "../app-env";

/** Request headers the origin needs: the body type, the language of error messages, the request id. */
export function forwardedHeaders(c: Context<AppEnv>): Headers {
  const headers = new Headers({ "X-Request-Id": c.get("requestId") });
  for (const name of ["content-type", "accept-language"]) {
    const value = c.req.header(name);
    if (value) headers.set(name, value);
  }
  return headers;
}
