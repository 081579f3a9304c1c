// The OpenAPI 3.1 document, generated from the same zod schemas the handlers validate with, and an
// interactive reference at /docs. Routes are documented here and implemented in routes/.

import type { OpenAPIHono } from "@hono/zod-openapi";
import { Scalar } from "@scalar/hono-api-reference";
import { z } from "zod";
import { ErrorSchema, HealthSchema, PredictionSchema, StatsSchema } from "../core/contract";
import { FlightRequestSchema } from "../core/flight";
import type { AppEnv } from "./app-env";

export const EXAMPLE_FLIGHT = { origin: "ORD", destination: "LGA", departure: "2026-12-24T18:30", reference: "AA 1234" };

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

const errors = {
  400: json(ErrorSchema, "Invalid JSON or invalid fields; details names each field and the fix."),
  413: json(ErrorSchema, "Body larger than the configured limit (64 KB by default)."),
  415: json(ErrorSchema, "Content-Type is not application/json."),
  422: json(ErrorSchema, "An airport the model has no training flights for."),
  429: json(ErrorSchema, "Rate limited; see Retry-After, RateLimit and RateLimit-Policy."),
  503: json(ErrorSchema, "Model or log temporarily unavailable; see Retry-After."),
};

export function registerApiDocs(app: OpenAPIHono<AppEnv>): void {
  const registry = app.openAPIRegistry;

  registry.registerPath({
    method: "post",
    path: "/predict",
    summary: "Predict whether a flight arrives 15 minutes or more late",
    request: {
      body: {
        required: true,
        content: { "application/json": { schema: FlightRequestSchema, example: EXAMPLE_FLIGHT } },
      },
    },
    responses: {
      200: json(PredictionSchema, "The prediction. X-Cache tells whether it came from the cache."),
      400: errors[400],
      413: errors[413],
      415: errors[415],
      422: errors[422],
      429: errors[429],
      503: errors[503],
    },
  });

  registry.registerPath({
    method: "post",
    path: "/predict/batch",
    summary: "Score many flights; streamed to the origin and back (full model unless ?model=edge)",
    request: {
      query: z.object({ model: z.enum(["full", "edge"]).optional().meta({ description: "Model for every row (default full)." }) }),
      body: {
        required: true,
        content: {
          "application/json": { schema: z.array(FlightRequestSchema) },
          "application/x-ndjson": { schema: z.string().meta({ description: "One flight (JSON object) per line." }) },
          "text/csv": {
            schema: z.string().meta({
              description:
                "A header with origin, destination and departure (in any order; optionally distance_miles, reference, model), then one flight per line.",
            }),
          },
        },
      },
    },
    responses: {
      200: {
        description: "One result per input row, in input order and in the request's format; a bad row carries an inline error.",
        content: { "application/json": { schema: z.array(z.record(z.string(), z.unknown())) }, "application/x-ndjson": { schema: z.string() }, "text/csv": { schema: z.string() } },
      },
      400: json(ErrorSchema, "An empty body, a JSON body that is not an array, a CSV header without the required columns, or an unknown ?model."),
      415: json(ErrorSchema, "Content-Type is not application/json, application/x-ndjson or text/csv."),
      429: errors[429],
      503: errors[503],
    },
  });

  registry.registerPath({
    method: "get",
    path: "/health",
    summary: "Liveness and the model this isolate serves (never rate limited)",
    responses: { 200: json(HealthSchema, "The Worker is running.") },
  });

  registry.registerPath({
    method: "get",
    path: "/stats",
    summary: "Counts and latency percentiles of logged predictions in a time window",
    request: {
      query: z.object({
        since: z.string().optional().meta({ description: "Start, ISO 8601 UTC (default: 24 hours before until).", example: "2026-12-24T00:00:00Z" }),
        until: z.string().optional().meta({ description: "End, exclusive, ISO 8601 UTC (default: now).", example: "2026-12-25T00:00:00Z" }),
      }),
    },
    responses: { 200: json(StatsSchema, "Aggregates computed by SQL on the D1 log."), 400: errors[400], 429: errors[429], 503: errors[503] },
  });

  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "flight-delay",
      version: "1.0.0",
      description:
        "Predicts whether a U.S. flight arrives 15 minutes or more late. Error messages follow Accept-Language (en, pt-BR).",
    },
    servers: [{ url: "/" }],
  });
  app.get("/docs", Scalar({ url: "/openapi.json", pageTitle: "flight-delay API" }));
}
