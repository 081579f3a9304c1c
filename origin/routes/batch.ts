// POST /predict/batch: streams a JSON array, NDJSON or CSV body through the model and streams the
// results back in the same format and order. Memory stays bounded by the chunk size; a client that
// disconnects cancels the stream, which stops reading and scoring.

import { Readable } from "node:stream";
import { Hono } from "hono";
import { ApiError } from "../../core/http/errors";
import { pickLanguage } from "../../core/messages";
import type { OriginEnv } from "../app-env";
import { formatOf, readRows } from "../batch/read";
import { scoreBatch } from "../batch/score";
import { CONTENT_TYPE, writeResults } from "../batch/write";
import type { OriginServices } from "../services";

export function batchRoutes(services: OriginServices) {
  return new Hono<OriginEnv>().post("/predict/batch", async function predictBatch(c) {
    const contentType = c.req.header("content-type") ?? "";
    const format = formatOf(contentType);
    if (!format) {
      throw new ApiError(415, "unsupported_media_type", {
        code: "unsupported_batch_type",
        params: { value: contentType },
      });
    }
    const modelName = c.req.query("model") ?? "full";
    if (modelName !== "full" && modelName !== "edge") {
      const message = { code: "unknown_model" as const, params: { value: modelName } };
      throw new ApiError(400, "invalid_request", message, [{ field: "model", message }]);
    }

    const model = services.models[modelName];
    const requestId = c.get("requestId");
    const body = c.req.raw.body ? Readable.fromWeb(c.req.raw.body as import("node:stream/web").ReadableStream) : Readable.from([]);
    const rows = readRows(format, body);
    // The first row is read before the response starts, so a bad body (empty, not a JSON array, a
    // bad CSV header) becomes a 400 here. The readers throw those errors only before their first row.
    const first = await rows.next();
    const text = writeResults(scoreBatch(prepend(first, rows), model, requestId, services), format, pickLanguage(c.req.header("accept-language")));
    const encoder = new TextEncoder();

    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const next = await text.next();
          if (next.done) controller.close();
          else controller.enqueue(encoder.encode(next.value));
        } catch (error) {
          services.logger.error({ err: error, request_id: requestId }, "batch failed while streaming");
          controller.error(error);
          body.destroy();
        }
      },
      async cancel() {
        services.logger.info({ request_id: requestId }, "batch cancelled by the client");
        await text.return(undefined);
        body.destroy();
      },
    });

    c.set("modelVersion", `${model.name}@${model.version}`);
    return c.body(stream, 200, {
      "Content-Type": CONTENT_TYPE[format],
      "X-Model-Name": model.name,
      "X-Model-Version": model.version,
      "X-Model-Threshold": String(model.threshold),
    });
  });
}

/** Yields an already-read first result, then the rest of the generator. */
async function* prepend<T>(first: IteratorResult<T>, rest: AsyncGenerator<T>): AsyncGenerator<T> {
  if (first.done) return;
  yield first.value;
  yield* rest;
}
