// One error shape for every response: {"error": {code, message, details[]}, "request_id"}.
// Messages are rendered in the caller's language at the last moment, from the Accept-Language header.

import type { Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { FieldProblem } from "../flight";
import { pickLanguage, renderMessage, type LocalizableMessage } from "../messages";

/** An error the client can act on; the status and body are decided here, not by the route. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    readonly summary: LocalizableMessage,
    readonly details: FieldProblem[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(code);
    this.name = "ApiError";
  }
}

export interface ErrorBody {
  error: { code: string; message: string; details: Array<{ field: string; message: string }> };
  request_id: string;
}

export function errorResponse(c: Context, error: ApiError): Response {
  const language = pickLanguage(c.req.header("accept-language"));
  const body: ErrorBody = {
    error: {
      code: error.code,
      message: renderMessage(error.summary, language),
      details: error.details.map((d) => ({ field: d.field, message: renderMessage(d.message, language) })),
    },
    request_id: c.get("requestId"),
  };
  for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
  c.header("Content-Language", language);
  return c.json(body, error.status);
}

/**
 * Installs the 404/405 and error handlers on an app: unknown paths get 404, known paths with a
 * wrong method get 405 with Allow, ApiErrors get their status, and anything else is logged and
 * returned as a 500 in the same shape.
 */
export function installErrorHandlers(
  // Any Env: the Worker and the origin type their apps differently, and only requestId is read.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  app: Hono<any>,
  routeMethods: Record<string, string>,
  logUnhandled: (error: Error, requestId: string) => void,
): void {
  app.notFound((c) => {
    const allowed = routeMethods[c.req.path];
    const params = { method: c.req.method, path: c.req.path };
    if (allowed) {
      const message = { code: "method_not_allowed" as const, params: { ...params, allowed } };
      return errorResponse(c, new ApiError(405, "method_not_allowed", message, [], { Allow: allowed }));
    }
    return errorResponse(c, new ApiError(404, "not_found", { code: "not_found", params }));
  });

  app.onError((error, c) => {
    if (error instanceof ApiError) return errorResponse(c, error);
    logUnhandled(error, c.get("requestId"));
    return errorResponse(c, new ApiError(500, "internal_error", { code: "internal_error" }));
  });
}
