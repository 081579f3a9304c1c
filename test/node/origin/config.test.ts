// Origin settings: defaults, the metrics port and the errors a mistyped variable gets at start.

import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../origin/config";

describe("origin configuration", () => {
  it("serves metrics on the main port unless METRICS_PORT is set", () => {
    expect(loadConfig({}).metricsPort).toBeUndefined();
    expect(loadConfig({ METRICS_PORT: "" }).metricsPort).toBeUndefined();
    expect(loadConfig({ METRICS_PORT: "9464" }).metricsPort).toBe(9464);
  });

  it("rejects a metrics port equal to the main port", () => {
    expect(() => loadConfig({ PORT: "8000", METRICS_PORT: "8000" })).toThrow("METRICS_PORT must differ from PORT");
  });

  it("names the variable and its range when a number is wrong", () => {
    expect(() => loadConfig({ METRICS_PORT: "http" })).toThrow('METRICS_PORT must be an integer from 0 to 65535, got "http"');
    expect(() => loadConfig({ CACHE_TTL_SECONDS: "0" })).toThrow("CACHE_TTL_SECONDS must be an integer from 1");
  });
});
