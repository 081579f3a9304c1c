import type { Context } from "hono";
import { ApiError } from "./errors";

/**
 * Reads a JSON request body, rejecting a wrong Content-Type (415), an oversized body (413) and text
 * that is not JSON (400).
 */
export async function readJsonBody(c: Context, maxBytes: number): Promise<unknown> {
  const contentType = c.req.header("content-type") ?? "";
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(contentType)) {
    throw new ApiError(415, "unsupported_media_type", {
      code: "unsupported_media_type",
      params: { value: contentType },
    });
  }

  // Content-Length is a hint that lets a large body be rejected unread; the byte count below
  // also catches chunked bodies, which carry no length.
  const declared = Number(c.req.header("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const bytes = await c.req.arrayBuffer();
  if (bytes.byteLength > maxBytes) throw tooLarge(maxBytes);

  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new ApiError(400, "invalid_json", { code: "invalid_json" });
  }
}

function tooLarge(limit: number): ApiError {
  return new ApiError(413, "payload_too_large", { code: "payload_too_large", params: { limit } });
}
