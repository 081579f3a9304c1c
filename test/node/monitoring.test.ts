// Alert rules, the dashboard and the scrape configuration. promtool accepts the rules and the
// configuration. Every metric they name is one the origin exports, or one that Kubernetes and
// Prometheus themselves provide. The Kubernetes scrape job reaches the pods on their metrics port.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../../origin/metrics";

const RULES = "deploy/monitoring/alert-rules.yml";
const PROMETHEUS_CONFIG = "deploy/monitoring/prometheus.yml";
const DEPLOYMENT = "deploy/k8s/base/deployment.yaml";
const DOCKERFILE = "origin/Dockerfile";
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

interface RelabelConfig {
  source_labels?: string[];
  separator?: string;
  regex?: string;
  action?: string;
  target_label?: string;
  replacement?: string;
}

interface ScrapeConfig {
  job_name: string;
  metrics_path?: string;
  relabel_configs?: RelabelConfig[];
  static_configs?: Array<{ targets: string[] }>;
}

/**
 * Applies `keep` and `replace` relabel rules the way Prometheus does: the regex is anchored at both
 * ends and `$1`-style references in the replacement name its groups. Returns undefined for a dropped
 * target. Throws on any other action, so a new kind of rule fails here instead of passing unchecked.
 */
function relabel(labels: Record<string, string>, rules: RelabelConfig[]): Record<string, string> | undefined {
  let current = { ...labels };
  for (const rule of rules) {
    const value = (rule.source_labels ?? []).map((name) => current[name] ?? "").join(rule.separator ?? ";");
    const match = new RegExp(`^(?:${rule.regex ?? "(.*)"})$`).exec(value);
    const action = rule.action ?? "replace";
    if (action === "keep") {
      if (match === null) return undefined;
    } else if (action === "replace") {
      if (match !== null && rule.target_label !== undefined) {
        const replaced = (rule.replacement ?? "$1").replace(/\$(\d+)/g, (_, group: string) => match[Number(group)] ?? "");
        current = { ...current, [rule.target_label]: replaced };
      }
    } else {
      throw new Error(`relabel action "${action}" is not supported by this test`);
    }
  }
  return current;
}

/**
 * Builds the targets that Kubernetes pod discovery creates for one pod of the base Deployment: one
 * per declared container port, with the pod's labels and annotations as meta labels.
 */
function discoveredTargets(podIp: string): Array<Record<string, string>> {
  const template = (parse(readFileSync(DEPLOYMENT, "utf8")) as { spec: { template: Record<string, any> } }).spec.template;
  const meta: Record<string, string> = { __meta_kubernetes_namespace: "flight-delay-production", __meta_kubernetes_pod_name: "origin-0" };
  for (const [name, value] of Object.entries(template.metadata.labels as Record<string, string>)) {
    meta[`__meta_kubernetes_pod_label_${name.replace(/[^a-zA-Z0-9_]/g, "_")}`] = value;
  }
  for (const [name, value] of Object.entries(template.metadata.annotations as Record<string, string>)) {
    meta[`__meta_kubernetes_pod_annotation_${name.replace(/[^a-zA-Z0-9_]/g, "_")}`] = value;
  }
  return (template.spec.containers as Array<{ ports: Array<{ name: string; containerPort: number }> }>).flatMap((container) =>
    container.ports.map((port) => ({
      ...meta,
      __address__: `${podIp}:${port.containerPort}`,
      __metrics_path__: "/metrics",
      __meta_kubernetes_pod_container_port_name: port.name,
      __meta_kubernetes_pod_container_port_number: String(port.containerPort),
    })),
  );
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

  it.skipIf(!hasPromtool)("promtool accepts the scrape config", () => {
    // Debian's promtool is built without Kubernetes service discovery and rejects
    // kubernetes_sd_configs, so it checks the config without those jobs. The relabel test above
    // covers the Kubernetes job.
    const config = parse(readFileSync(PROMETHEUS_CONFIG, "utf8")) as {
      rule_files: string[];
      scrape_configs: Array<Record<string, unknown>>;
    };
    const staticJobs = config.scrape_configs.filter((job) => !("kubernetes_sd_configs" in job));
    expect(staticJobs.length).toBeGreaterThan(0);
    expect(staticJobs.length).toBeLessThan(config.scrape_configs.length);

    const dir = mkdtempSync(join(tmpdir(), "promtool-"));
    try {
      const file = join(dir, "prometheus.yml");
      // Rule files are found relative to the config, which now lives in a temporary folder.
      const ruleFiles = config.rule_files.map((name) => resolve(dirname(PROMETHEUS_CONFIG), name));
      writeFileSync(file, stringify({ ...config, rule_files: ruleFiles, scrape_configs: staticJobs }));
      const result = spawnSync("promtool", ["check", "config", file], { encoding: "utf8" });
      expect(result.stdout + result.stderr).toContain("SUCCESS");
      expect(result.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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

describe("scrape config", () => {
  const config = parse(readFileSync(PROMETHEUS_CONFIG, "utf8")) as { scrape_configs: ScrapeConfig[] };
  const job = (name: string) => config.scrape_configs.find((candidate) => candidate.job_name === name);
  const metricsPort = Number(/\bMETRICS_PORT=(\d+)/.exec(readFileSync(DOCKERFILE, "utf8"))?.[1]);

  it("kubernetes job scrapes metrics port", () => {
    const rules = job("flight-delay-origin-kubernetes")?.relabel_configs ?? [];
    const targets = discoveredTargets("10.1.2.3")
      .map((labels) => relabel(labels, rules))
      .filter((labels) => labels !== undefined);
    expect(metricsPort).toBe(9464);
    expect(targets).toHaveLength(1);
    expect(targets[0]?.__address__).toBe(`10.1.2.3:${metricsPort}`);
    expect(targets[0]?.__metrics_path__).toBe("/metrics");
    expect(targets[0]?.namespace).toBe("flight-delay-production");
    expect(targets[0]?.pod).toBe("origin-0");
  });

  it("kubernetes job skips unannotated pods", () => {
    const rules = job("flight-delay-origin-kubernetes")?.relabel_configs ?? [];
    const targets = discoveredTargets("10.1.2.3").map((labels) => ({ ...labels, __meta_kubernetes_pod_annotation_prometheus_io_scrape: "false" }));
    expect(targets.map((labels) => relabel(labels, rules)).filter((labels) => labels !== undefined)).toEqual([]);
  });

  it("static job uses metrics port", () => {
    const targets = job("flight-delay-origin-static")?.static_configs?.flatMap((entry) => entry.targets) ?? [];
    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets) expect(target).toMatch(new RegExp(`:${metricsPort}$`));
  });
});
