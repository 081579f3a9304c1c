// Response schemas of the public API. They document the contract (OpenAPI) and let tests check
// responses against the same definition.

import { z } from "zod";

export const ModelIdSchema = z.object({
  name: z.string().meta({ example: "edge" }),
  version: z.string().meta({ example: "1" }),
});

export const PredictionSchema = z
  .object({
    delay_probability: z.number().min(0).max(1).meta({ description: "Probability of arriving 15+ minutes late.", example: 0.415485 }),
    is_delayed: z.boolean().meta({ description: "delay_probability compared with the model's threshold." }),
    threshold: z.number().meta({ description: "Decision threshold of this model version, chosen on validation data.", example: 0.2199 }),
    model: ModelIdSchema,
    served_by: z.enum(["edge", "origin"]).meta({
      description: "Where the prediction was returned from: edge (the Worker: its model, its memory or KV) or origin (the origin service: its model or its cache).",
    }),
    cached: z.boolean().meta({
      description: "True when the prediction came from a cache instead of a model run.",
    }),
    request_id: z.string(),
    flight: z
      .object({
        origin: z.string(),
        destination: z.string(),
        departure: z.string().meta({ description: "Canonical scheduled departure, local time at the origin." }),
        distance_miles: z.number().int(),
      })
      .meta({ description: "The canonical flight the model scored." }),
    reference: z.string().optional(),
  })
  .meta({ id: "Prediction" });

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().meta({ example: "invalid_request" }),
      message: z.string().meta({ description: "In English or Brazilian Portuguese, by Accept-Language." }),
      details: z.array(z.object({ field: z.string(), message: z.string() })),
    }),
    request_id: z.string(),
  })
  .meta({ id: "Error" });

export const HealthSchema = z
  .object({
    status: z.literal("ok"),
    model: ModelIdSchema,
    session_loaded: z.boolean().meta({ description: "Whether this isolate has created its ONNX session yet." }),
  })
  .meta({ id: "Health" });

export const StatsSchema = z
  .object({
    since: z.string(),
    until: z.string(),
    total: z.number().int(),
    by_decision: z.object({ delayed: z.number().int(), on_time: z.number().int() }),
    by_served_by: z.record(z.string(), z.number().int()),
    cache_hits: z.number().int(),
    latency_ms: z.object({ p50: z.number().nullable(), p95: z.number().nullable(), p99: z.number().nullable() }),
  })
  .meta({ id: "Stats" });
