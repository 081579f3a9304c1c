// One error shape for every response: {"error": {code, message, details[]}, "request_id"}.
// Messages are rendered in the caller's language at the last moment, from the Accept-Language header.

import type { Context } from "hono";
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
