// Alert rules and the dashboard: promtool accepts the rules, and every metric they name is one the
// origin exports (or one that Kubernetes and Prometheus themselves provide).

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../../origin/metrics";

const RULES = "deploy/monitoring/alert-rules.yml";
const hasPromtool = spawnSync("promtool", ["--version"]).status === 0;

/** Metrics that come from outside the origin: Prometheus's own `up` and kube-state-metrics. */
const EXTERNAL_METRICS = new Set(["up", "kube_pod_container_status_restarts_total"]);

/** Series names the origin registers, including the _bucket/_sum/_count series of its histograms. */
async function exportedSeries(): Promise<Set<string>> {
  const metrics = await createMetrics().registry.getMetricsAsJSON();
  return new Set(
    metrics.flatMap((m) => (String(m.type) === "histogram" ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name])),
  );
}

/** Metric names used in a PromQL expression: identifiers followed by a selector, range or operator. */
function metricNames(expr: string): string[] {
  // Label lists of grouping clauses ("by (le, model_type)") name labels, not metrics.
  const withoutStrings = expr.replace(/"[^"]*"/g, '""').replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, "");
  const words = withoutStrings.match(/[a-zA-Z_:][a-zA-Z0-9_:]*(?=\s*[{[)\s]|$)/g) ?? [];
  const promql = new Set(["sum", "rate", "increase", "by", "le", "histogram_quantile", "clamp_min", "and", "or", "unless", "on", "without"]);
  return words.filter((w) => !promql.has(w) && /_/.test(w) || w === "up");
}

interface RuleFile {
  groups: Array<{ rules: Array<{ alert: string; expr: string; labels?: { severity?: string }; annotations?: { summary?: string } }> }>;
}

describe("monitoring", () => {
  const rules = (parse(readFileSync(RULES, "utf8")) as RuleFile).groups.flatMap((g) => g.rules);

  it.skipIf(!hasPromtool)("promtool accepts the alert rules", () => {
    const result = spawnSync("promtool", ["check", "rules", RULES], { encoding: "utf8" });
    expect(result.stdout + result.stderr).toContain("SUCCESS");
    expect(result.status).toBe(0);
  });

  it("alert rules cover the required alerts", () => {
    const names = rules.map((r) => r.alert);
    for (const required of ["FlightDelayHighErrorRate", "FlightDelayHighLatencyP95", "FlightDelayPodCrashLooping", "FlightDelayEdgeFallbackHigh", "FlightDelayBatchRowErrors"]) {
      expect(names).toContain(required);
    }
    for (const rule of rules) {
      expect(rule.labels?.severity, rule.alert).toMatch(/^(warning|critical)$/);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
    }
  });

  it("alert rules use exported metrics", async () => {
    const exported = await exportedSeries();
    const unknown = rules.flatMap((r) => metricNames(r.expr)).filter((m) => !exported.has(m) && !EXTERNAL_METRICS.has(m));
    expect(unknown).toEqual([]);
  });

  it("dashboard uses exported metrics", async () => {
    const exported = await exportedSeries();
    const dashboard = JSON.parse(readFileSync("deploy/monitoring/grafana-dashboard.json", "utf8")) as {
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
    };
    const names = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => metricNames(t.expr)));
    expect(names.length).toBeGreaterThan(5);
    expect(names.filter((m) => !exported.has(m))).toEqual([]);
  });
});
