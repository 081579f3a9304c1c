// The Cloud Run service in deploy/cloudrun: validated against the Knative serving.knative.dev/v1
// Service schema that @kubernetes-models/knative ships (generated from the Knative CRDs), and its
// values checked against the origin's probe routes, the Dockerfile and the metrics sidecar's
// RunMonitoring configuration.
// NOTE: the schema is Knative's, not Cloud Run's. Cloud Run's own limits (for example which
// annotations it accepts) are not checked here.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Service } from "@kubernetes-models/knative/serving.knative.dev/v1/Service";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { probeRoutes } from "../../origin/routes/probes";
import type { OriginServices } from "../../origin/services";

const ROOT = join(import.meta.dirname, "../..");
const document = parseDocument(readFileSync(join(ROOT, "deploy/cloudrun/service.yaml"), "utf8"));
const runMonitoringDocument = parseDocument(readFileSync(join(ROOT, "deploy/cloudrun/run-monitoring.yaml"), "utf8"));
const dockerfile = readFileSync(join(ROOT, "origin/Dockerfile"), "utf8");
const SIDECAR_IMAGE = "us-docker.pkg.dev/cloud-ops-agents-artifacts/cloud-run-gmp-sidecar/cloud-run-gmp-sidecar:1.2.0";
// The sidecar opens this fixed path for its RunMonitoring configuration.
const SIDECAR_CONFIG_PATH = "/etc/rungmp/config.yaml";

// Plain objects on purpose: the tests read nested fields that the model types as optional.
type Node = Record<string, any>;

const service = document.toJS() as Node;
const template = service.spec.template;
const containers = template.spec.containers as Node[];
const container = containers.find((candidate) => candidate.name === "origin") as Node;
const sidecar = containers.find((candidate) => candidate.name === "collector") as Node;
const runMonitoring = runMonitoringDocument.toJS() as Node;
const probePaths = probeRoutes({} as OriginServices)
  .routes.filter((route) => route.method === "GET")
  .map((route) => route.path);

function validate(manifest: Node): void {
  new Service(manifest as never).validate();
}

describe("cloudrun schema", () => {
  it("yaml parses cleanly", () => {
    expect(document.errors).toEqual([]);
    expect(document.warnings).toEqual([]);
    expect(runMonitoringDocument.errors).toEqual([]);
    expect(runMonitoringDocument.warnings).toEqual([]);
  });

  it("knative service validates", () => {
    expect(service.apiVersion).toBe("serving.knative.dev/v1");
    expect(service.kind).toBe("Service");
    expect(() => validate(service)).not.toThrow();
  });

  it("validator rejects wrong concurrency type", () => {
    const broken = structuredClone(service);
    broken.spec.template.spec.containerConcurrency = "80";
    expect(() => validate(broken)).toThrow(/containerConcurrency must be integer/);
  });

  it("validator rejects wrong probe type", () => {
    const broken = structuredClone(service);
    broken.spec.template.spec.containers[0].readinessProbe.periodSeconds = "5";
    expect(() => validate(broken)).toThrow(/periodSeconds must be integer/);
  });
});

describe("cloudrun invariants", () => {
  it("autoscaling 2 to 100", () => {
    expect(template.metadata.annotations["autoscaling.knative.dev/minScale"]).toBe("2");
    expect(template.metadata.annotations["autoscaling.knative.dev/maxScale"]).toBe("100");
  });

  it("container concurrency 80", () => {
    expect(template.spec.containerConcurrency).toBe(80);
  });

  it("resource limits", () => {
    expect(container.resources.limits.cpu).toBe("1");
    expect(container.resources.limits.memory).toBe("2Gi");
  });

  it("image from Artifact Registry", () => {
    expect(container.image).toBe("REGION-docker.pkg.dev/PROJECT_ID/flight-delay/flight-delay-origin:TAG");
  });

  it("dedicated runtime service account", () => {
    expect(template.spec.serviceAccountName).toBe("flight-delay-origin@PROJECT_ID.iam.gserviceaccount.com");
    expect(template.spec.serviceAccountName).not.toMatch(/-compute@developer\.gserviceaccount\.com$/);
  });

  it("port matches Dockerfile", () => {
    const expose = Number(/^EXPOSE\s+(\d+)/m.exec(dockerfile)?.[1]);
    expect(expose).toBe(8000);
    expect(container.ports).toEqual([{ name: "http1", containerPort: expose }]);
    // Cloud Run sets PORT to containerPort itself and reserves the name, so the manifest must not set it.
    expect(container.env.map((entry: Node) => entry.name)).not.toContain("PORT");
  });

  it.each([
    ["startupProbe", "/health"],
    ["livenessProbe", "/health"],
    ["readinessProbe", "/ready"],
  ])("%s path and port", (probe, path) => {
    expect(container[probe].httpGet.path).toBe(path);
    expect(probePaths).toContain(container[probe].httpGet.path);
    expect(container[probe].httpGet.port).toBe(8000);
  });

  it.each(["ENVIRONMENT", "LOG_LEVEL"])("env %s set", (name) => {
    expect(container.env.find((entry: Node) => entry.name === name)?.value).toBeTruthy();
  });

  it.each(["DATABASE_URL", "REDIS_URL", "ORIGIN_SHARED_SECRET"])("secret %s from Secret Manager", (name) => {
    const entry = container.env.find((candidate: Node) => candidate.name === name);
    expect(entry?.value).toBeUndefined();
    expect(entry?.valueFrom.secretKeyRef.name).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(entry?.valueFrom.secretKeyRef.key).toMatch(/^(latest|\d+)$/);
  });
});

describe("cloudrun metrics sidecar", () => {
  const metricsPort = Number(/\bMETRICS_PORT=(\d+)/.exec(dockerfile)?.[1]);
  const endpoints = runMonitoring.spec.endpoints as Node[];

  it("two containers", () => {
    expect(containers.map((entry) => entry.name)).toEqual(["origin", "collector"]);
  });

  it("only origin has a port", () => {
    expect(container.ports).toHaveLength(1);
    expect(sidecar.ports).toBeUndefined();
  });

  it("sidecar image pinned", () => {
    expect(sidecar.image).toBe(SIDECAR_IMAGE);
  });

  it("sidecar depends on origin", () => {
    const dependencies = JSON.parse(template.metadata.annotations["run.googleapis.com/container-dependencies"]);
    expect(dependencies).toEqual({ collector: ["origin"] });
  });

  it("runmonitoring scrapes metrics port", () => {
    expect(runMonitoring.apiVersion).toBe("monitoring.googleapis.com/v1beta");
    expect(runMonitoring.kind).toBe("RunMonitoring");
    expect(endpoints).toEqual([{ port: 9464, path: "/metrics", interval: "30s" }]);
  });

  it("METRICS_PORT equals scraped port", () => {
    const env = container.env.find((entry: Node) => entry.name === "METRICS_PORT");
    expect(metricsPort).toBe(9464);
    expect(env?.value).toBe(String(metricsPort));
    expect(endpoints[0]?.port).toBe(metricsPort);
    expect(container.ports[0].containerPort).not.toBe(metricsPort);
  });

  it("config mounted from secret", () => {
    const mount = sidecar.volumeMounts.find((entry: Node) => SIDECAR_CONFIG_PATH.startsWith(`${entry.mountPath}/`));
    const volume = template.spec.volumes.find((entry: Node) => entry.name === mount?.name);
    const item = volume?.secret.items.find((entry: Node) => join(mount.mountPath, entry.path) === SIDECAR_CONFIG_PATH);
    expect(mount).toBeDefined();
    expect(volume?.secret.secretName).toBe("flight-delay-run-monitoring");
    expect(item?.key).toMatch(/^(latest|\d+)$/);
  });

  it("origin mounts no sidecar config", () => {
    expect(container.volumeMounts).toBeUndefined();
  });
});
