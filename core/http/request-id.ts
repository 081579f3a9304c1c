import { createMiddleware } from "hono/factory";

/** Accepted incoming ids: printable token characters, bounded so logs and headers stay small. */
const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Honours a well-formed incoming `X-Request-Id` (so a client's or proxy's id follows the request)
 * and otherwise generates one; echoes it in the response header.
 */
export const requestId = createMiddleware<{ Variables: { requestId: string } }>(async function requestId(c, next) {
  const incoming = c.req.header("x-request-id");
  const id = incoming && VALID_REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
  c.set("requestId", id);
  c.header("X-Request-Id", id);
  await next();
});
