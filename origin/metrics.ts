// Prometheus metrics under the names the team's dashboards and alerts already use.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface OriginMetrics {
  registry: Registry;
  httpRequests: Counter<"method" | "endpoint" | "status">;
  httpDuration: Histogram<"method" | "endpoint">;
  activeConnections: Gauge;
  predictions: Counter<"model_type" | "result">;
  inferenceDuration: Histogram<"model_type">;
  batchRows: Counter<"model_type" | "outcome">;
  logRowsDropped: Counter;
}

export function createMetrics(): OriginMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  return {
    registry,
    httpRequests: new Counter({
      name: "http_requests_total",
      help: "HTTP requests by method, route template and status code.",
      labelNames: ["method", "endpoint", "status"],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: "http_request_duration_seconds",
      help: "HTTP request duration in seconds, by method and route template.",
      labelNames: ["method", "endpoint"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    activeConnections: new Gauge({
      name: "http_active_connections",
      help: "HTTP requests in progress.",
      registers: [registry],
    }),
    predictions: new Counter({
      name: "predictions_total",
      help: "Predictions served, by model and decision (delayed or on_time).",
      labelNames: ["model_type", "result"],
      registers: [registry],
    }),
    inferenceDuration: new Histogram({
      name: "model_inference_duration_seconds",
      help: "Duration of one ONNX session run in seconds (one row or one batch chunk).",
      labelNames: ["model_type"],
      buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
      registers: [registry],
    }),
    batchRows: new Counter({
      name: "batch_rows_total",
      help: "Rows of batch requests, by model and outcome (scored or error).",
      labelNames: ["model_type", "outcome"],
      registers: [registry],
    }),
    logRowsDropped: new Counter({
      name: "prediction_log_rows_dropped_total",
      help: "Prediction log rows dropped because the in-memory buffer was full while the database was unreachable.",
      registers: [registry],
    }),
  };
}
