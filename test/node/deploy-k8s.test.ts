// The Kubernetes manifests in deploy/k8s. Each base file and each rendered overlay is validated
// against the Kubernetes OpenAPI schemas that kubernetes-models 4.5.1 ships. The values that must
// match the origin service are checked against the origin's own sources.
// NOTE: those schemas check types, enums and required fields but accept unknown fields, so a
// misspelled optional field passes validation. The invariant tests below catch it in the fields they read.
//
// The overlays are rendered here instead of by kustomize. The renderer supports only what the
// overlays use (resources, namespace, strategic-merge patches and JSON 6902 patches with a target)
// and throws on any other kustomization key, so an overlay that outgrows it fails loudly.

import { readFileSync, statSync } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { metricsRoutes, probeRoutes } from "../../origin/routes/probes";
import type { OriginServices } from "../../origin/services";

const K8S_DIR = join(import.meta.dirname, "../../deploy/k8s");
const DOCKERFILE = join(import.meta.dirname, "../../origin/Dockerfile");
const DOCKERFILE_METRICS_PORT = Number(/\bMETRICS_PORT=(\d+)/.exec(readFileSync(DOCKERFILE, "utf8"))?.[1]);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
// Plain objects on purpose: the tests read nested fields that the models type as optional.
type Manifest = Record<string, any>;

// ---- rendering ----

const SUPPORTED_KUSTOMIZATION_KEYS = new Set(["apiVersion", "kind", "namespace", "resources", "patches"]);

/** Strategic-merge keys of the lists the overlays patch. The renderer replaces any other list whole. */
const MERGE_KEYS: Record<string, string> = { containers: "name", env: "name", volumes: "name", volumeMounts: "mountPath", ports: "containerPort" };

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readManifests(file: string): Manifest[] {
  return parseAllDocuments(readFileSync(file, "utf8"))
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`invalid YAML in ${file}: ${document.errors[0]?.message}`);
      return document.toJSON() as Manifest | null;
    })
    .filter((manifest): manifest is Manifest => manifest !== null);
}

function strategicMerge(target: Json, patch: Json, key?: string): Json {
  if (isObject(target) && isObject(patch)) {
    const merged: JsonObject = { ...target };
    for (const [name, value] of Object.entries(patch)) {
      merged[name] = name in target ? strategicMerge(target[name]!, value, name) : value;
    }
    return merged;
  }
  const mergeKey = key === undefined ? undefined : MERGE_KEYS[key];
  if (Array.isArray(target) && Array.isArray(patch) && mergeKey !== undefined) {
    const merged = [...target];
    for (const item of patch) {
      if (!isObject(item)) throw new Error(`list "${key}" item without the merge key "${mergeKey}"`);
      const index = merged.findIndex((existing) => isObject(existing) && existing[mergeKey] === item[mergeKey]);
      if (index === -1) merged.push(item);
      else merged[index] = strategicMerge(merged[index]!, item, undefined);
    }
    return merged;
  }
  return patch;
}

/** Applies RFC 6902 `add`, `replace` and `remove` operations, the ones the overlays use. */
function applyJsonPatch(manifest: Manifest, operations: Array<{ op: string; path: string; value?: Json }>): Manifest {
  const result = structuredClone(manifest);
  for (const { op, path, value } of operations) {
    const segments = path.split("/").slice(1).map((segment) => segment.replaceAll("~1", "/").replaceAll("~0", "~"));
    const last = segments.pop();
    if (last === undefined) throw new Error(`JSON patch path "${path}" is empty`);
    let parent: Manifest = result;
    for (const segment of segments) {
      parent = parent[segment];
      if (parent === undefined) throw new Error(`JSON patch path "${path}" not found at "${segment}"`);
    }
    if (op === "remove" || op === "replace") {
      if (!(last in parent)) throw new Error(`JSON patch ${op} of missing "${path}"`);
    }
    if (op === "remove") {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else if (op === "add" && Array.isArray(parent)) {
      parent.splice(last === "-" ? parent.length : Number(last), 0, value);
    } else if (op === "add" || op === "replace") {
      parent[last] = value;
    } else {
      throw new Error(`JSON patch operation "${op}" is not supported by this renderer`);
    }
  }
  return result;
}

function matchesTarget(manifest: Manifest, target: Manifest): boolean {
  const [group, version] = String(manifest.apiVersion).includes("/") ? String(manifest.apiVersion).split("/") : ["", manifest.apiVersion];
  return (
    (target.group === undefined || target.group === group) &&
    (target.version === undefined || target.version === version) &&
    (target.kind === undefined || target.kind === manifest.kind) &&
    (target.name === undefined || target.name === manifest.metadata?.name)
  );
}

/** Renders a kustomization folder into its list of manifests. */
function render(directory: string): Manifest[] {
  const [kustomization] = readManifests(join(directory, "kustomization.yaml"));
  if (kustomization === undefined) throw new Error(`${directory}/kustomization.yaml is empty`);
  for (const key of Object.keys(kustomization)) {
    if (!SUPPORTED_KUSTOMIZATION_KEYS.has(key)) throw new Error(`kustomization key "${key}" in ${directory} is not supported by this renderer`);
  }

  let manifests: Manifest[] = [];
  for (const resource of kustomization.resources ?? []) {
    const path = join(directory, resource);
    manifests.push(...(statSync(path).isDirectory() ? render(path) : readManifests(path)));
  }

  for (const patch of kustomization.patches ?? []) {
    const text = readFileSync(join(directory, patch.path), "utf8");
    if (patch.path.endsWith(".json")) {
      if (patch.target === undefined) throw new Error(`JSON patch ${patch.path} needs a target`);
      const matched = manifests.filter((manifest) => matchesTarget(manifest, patch.target));
      if (matched.length === 0) throw new Error(`JSON patch ${patch.path} matched no resource`);
      manifests = manifests.map((manifest) => (matchesTarget(manifest, patch.target) ? applyJsonPatch(manifest, JSON.parse(text)) : manifest));
      continue;
    }
    for (const body of readManifests(join(directory, patch.path))) {
      const index = manifests.findIndex((manifest) => manifest.kind === body.kind && manifest.metadata?.name === body.metadata?.name);
      if (index === -1) throw new Error(`patch ${patch.path} matched no ${body.kind} named ${body.metadata?.name}`);
      manifests[index] = strategicMerge(manifests[index] as JsonObject, body as JsonObject) as Manifest;
    }
  }

  if (kustomization.namespace !== undefined) {
    manifests = manifests.map((manifest) =>
      manifest.kind === "Namespace" ? manifest : { ...manifest, metadata: { ...manifest.metadata, namespace: kustomization.namespace } },
    );
  }
  return manifests;
}

// ---- schema validation ----

const MODELS: Record<string, { validate(data: Manifest): void }> = {
  "apps/v1/Deployment": { validate: (data) => new Deployment(data as never).validate() },
  "autoscaling/v2/HorizontalPodAutoscaler": { validate: (data) => new HorizontalPodAutoscaler(data as never).validate() },
  "networking.k8s.io/v1/Ingress": { validate: (data) => new Ingress(data as never).validate() },
  "networking.k8s.io/v1/NetworkPolicy": { validate: (data) => new NetworkPolicy(data as never).validate() },
  "policy/v1/PodDisruptionBudget": { validate: (data) => new PodDisruptionBudget(data as never).validate() },
  "v1/Namespace": { validate: (data) => new Namespace(data as never).validate() },
  "v1/Service": { validate: (data) => new Service(data as never).validate() },
  "v1/ServiceAccount": { validate: (data) => new ServiceAccount(data as never).validate() },
};

function validateManifest(manifest: Manifest): void {
  const model = MODELS[`${manifest.apiVersion}/${manifest.kind}`];
  if (model === undefined) throw new Error(`no schema for ${manifest.apiVersion} ${manifest.kind}`);
  model.validate(manifest);
}

function find(manifests: Manifest[], kind: string): Manifest {
  const matches = manifests.filter((manifest) => manifest.kind === kind);
  if (matches.length !== 1) throw new Error(`expected one ${kind}, found ${matches.length}`);
  return matches[0]!;
}

function originContainer(manifests: Manifest[]): Manifest {
  return find(manifests, "Deployment").spec.template.spec.containers.find((container: Manifest) => container.name === "origin");
}

function envValue(container: Manifest, name: string): Manifest | undefined {
  return container.env.find((entry: Manifest) => entry.name === name);
}

/** Returns the number of the container port with this name, or undefined when there is none. */
function containerPort(container: Manifest, name: string): number | undefined {
  return container.ports.find((entry: Manifest) => entry.name === name)?.containerPort;
}

/**
 * Checks one CIDR block: a valid IPv4 or IPv6 address, a prefix length within the address width, and
 * no bits set after the prefix, because set host bits usually mean a mistyped range.
 * Returns a description of the problem, or undefined for a valid block.
 */
function cidrProblem(block: string): string | undefined {
  const [address, prefixText, ...rest] = block.split("/");
  const family = isIP(address ?? "");
  if (family === 0 || rest.length > 0 || prefixText === undefined || !/^\d+$/.test(prefixText)) return `${block}: not an address/prefix pair`;
  const width = family === 4 ? 32 : 128;
  const prefix = Number(prefixText);
  if (prefix > width) return `${block}: prefix longer than ${width} bits`;
  const value = family === 4 ? ipv4Value(address!) : ipv6Value(address!);
  const hostMask = (1n << BigInt(width - prefix)) - 1n;
  return (value & hostMask) === 0n ? undefined : `${block}: bits set after the /${prefix} prefix`;
}

function ipv4Value(address: string): bigint {
  return address.split(".").reduce((value, octet) => (value << 8n) | BigInt(octet), 0n);
}

function ipv6Value(address: string): bigint {
  const [head = "", tail = ""] = address.split("::");
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = tail === "" ? [] : tail.split(":");
  const groups = address.includes("::") ? [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill("0"), ...tailGroups] : headGroups;
  return groups.reduce((value, group) => (value << 16n) | BigInt(Number.parseInt(group, 16)), 0n);
}

// ---- tests ----

const base = render(join(K8S_DIR, "base"));
const overlays = { staging: render(join(K8S_DIR, "overlays/staging")), production: render(join(K8S_DIR, "overlays/production")) };

describe("k8s schemas", () => {
  const baseFiles = readManifests(join(K8S_DIR, "base/kustomization.yaml"))[0]!.resources as string[];

  it.each(baseFiles)("base %s validates", (file) => {
    const manifests = readManifests(join(K8S_DIR, "base", file));
    expect(manifests.length).toBeGreaterThan(0);
    for (const manifest of manifests) expect(() => validateManifest(manifest)).not.toThrow();
  });

  it.each(Object.entries(overlays))("overlay %s validates", (_name, manifests) => {
    for (const manifest of manifests) expect(() => validateManifest(manifest)).not.toThrow();
  });

  it("validator rejects wrong type", () => {
    const broken = structuredClone(find(base, "Deployment"));
    broken.spec.replicas = "3";
    expect(() => validateManifest(broken)).toThrow(/replicas must be integer/);
  });
});

describe("k8s renderer", () => {
  it("base renders all kinds", () => {
    const kinds = base.map((manifest) => manifest.kind).sort();
    expect(kinds).toEqual(["Deployment", "HorizontalPodAutoscaler", "Ingress", "NetworkPolicy", "PodDisruptionBudget", "Service", "ServiceAccount"]);
  });

  it.each(Object.entries(overlays))("overlay %s sets namespace", (name, manifests) => {
    const namespace = find(manifests, "Namespace").metadata.name;
    expect(namespace).toBe(`flight-delay-${name}`);
    for (const manifest of manifests.filter((m) => m.kind !== "Namespace")) expect(manifest.metadata.namespace).toBe(namespace);
  });

  it("strategic merge keeps base env", () => {
    const container = originContainer(overlays.staging);
    expect(envValue(container, "ENVIRONMENT")?.value).toBe("staging");
    expect(envValue(container, "LOG_LEVEL")?.value).toBe("debug");
    expect(envValue(container, "DATABASE_URL")?.valueFrom.secretKeyRef.name).toBe("flight-delay-origin");
    expect(container.env).toHaveLength(originContainer(base).env.length);
  });

  it.each([
    ["10.0.0.0/8", undefined],
    ["2400:cb00::/32", undefined],
    ["10.0.0.1/8", "10.0.0.1/8: bits set after the /8 prefix"],
    ["2400:cb00::1/32", "2400:cb00::1/32: bits set after the /32 prefix"],
    ["10.0.0.0/33", "10.0.0.0/33: prefix longer than 32 bits"],
    ["10.0.0.256/8", "10.0.0.256/8: not an address/prefix pair"],
    [" 10.0.0.0/8", " 10.0.0.0/8: not an address/prefix pair"],
    ["10.0.0.0", "10.0.0.0: not an address/prefix pair"],
  ])("cidr check on %s", (block, problem) => {
    expect(cidrProblem(block)).toBe(problem);
  });

  it("strategic merge keeps base probes", () => {
    expect(originContainer(overlays.staging).livenessProbe).toEqual(originContainer(base).livenessProbe);
  });
});

describe("k8s overlays", () => {
  it("staging values", () => {
    const deployment = find(overlays.staging, "Deployment");
    expect(deployment.spec.replicas).toBe(2);
    expect(originContainer(overlays.staging).resources.requests.cpu).toBe("50m");
    expect(find(overlays.staging, "Ingress").spec.rules[0].host).toBe("origin.staging.example.com");
    expect(find(overlays.staging, "Ingress").spec.tls[0].hosts).toEqual(["origin.staging.example.com"]);
    expect(find(overlays.staging, "Ingress").metadata.annotations["cert-manager.io/cluster-issuer"]).toBe("letsencrypt-staging");
  });

  it("production values", () => {
    expect(find(overlays.production, "Deployment").spec.replicas).toBe(3);
    expect(envValue(originContainer(overlays.production), "ENVIRONMENT")?.value).toBe("production");
    expect(find(overlays.production, "Ingress").spec.rules[0].host).toBe("origin.example.com");
    expect(find(overlays.production, "Ingress").spec.tls[0].hosts).toEqual(["origin.example.com"]);
  });
});

// The invariants hold for the base and for production, which must not weaken them.
describe.each([
  ["base", base],
  ["production", overlays.production],
])("k8s %s invariants", (_name, manifests) => {
  const deployment = find(manifests, "Deployment");
  const container = originContainer(manifests);
  const podSpec = deployment.spec.template.spec;

  it("deployment replicas and rollout", () => {
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.strategy.type).toBe("RollingUpdate");
    expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(1);
    expect(deployment.spec.strategy.rollingUpdate.maxSurge).toBe(1);
  });

  it("probe paths exist in origin", () => {
    const routes = probeRoutes({} as OriginServices).routes.filter((route) => route.method === "GET").map((route) => route.path);
    expect(routes).toContain(container.livenessProbe.httpGet.path);
    expect(routes).toContain(container.readinessProbe.httpGet.path);
    expect(container.livenessProbe.httpGet.path).toBe("/health");
    expect(container.readinessProbe.httpGet.path).toBe("/ready");
  });

  it("probes use http port", () => {
    expect(container.livenessProbe.httpGet.port).toBe("http");
    expect(container.readinessProbe.httpGet.port).toBe("http");
  });

  it("port matches service and Dockerfile", () => {
    const expose = /^EXPOSE\s+(\d+)/m.exec(readFileSync(DOCKERFILE, "utf8"))?.[1];
    const servicePort = find(manifests, "Service").spec.ports[0];
    expect(Number(expose)).toBe(8000);
    expect(containerPort(container, "http")).toBe(8000);
    expect(servicePort.port).toBe(80);
    expect(servicePort.targetPort).toBe(8000);
    expect(envValue(container, "PORT")?.value).toBe("8000");
  });

  it("service exposes only http", () => {
    const ports = find(manifests, "Service").spec.ports;
    expect(ports).toEqual([{ name: "http", port: 80, targetPort: 8000, protocol: "TCP" }]);
    expect(ports.map((port: Manifest) => port.targetPort)).not.toContain(containerPort(container, "metrics"));
    expect(ports.map((port: Manifest) => port.targetPort)).not.toContain("metrics");
  });

  it("resources", () => {
    expect(container.resources).toEqual({ requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } });
  });

  it("pod securityContext", () => {
    expect(podSpec.securityContext.runAsNonRoot).toBe(true);
    expect(podSpec.securityContext.runAsUser).toBe(1000);
    expect(podSpec.securityContext.fsGroup).toBe(2000);
  });

  it("container securityContext", () => {
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
    expect(container.securityContext.capabilities.drop).toEqual(["ALL"]);
  });

  it("tmp is emptyDir", () => {
    const mount = container.volumeMounts.find((entry: Manifest) => entry.mountPath === "/tmp");
    const volume = podSpec.volumes.find((entry: Manifest) => entry.name === mount?.name);
    expect(volume?.emptyDir).toBeDefined();
    expect(envValue(container, "PGLITE_DATA_DIR")?.value).toMatch(/^\/tmp\//);
  });

  it.each(["DATABASE_URL", "REDIS_URL", "ORIGIN_SHARED_SECRET"])("secret %s from secretKeyRef", (name) => {
    const entry = envValue(container, name);
    expect(entry?.value).toBeUndefined();
    expect(entry?.valueFrom.secretKeyRef).toEqual({ name: "flight-delay-origin", key: name });
  });

  it("prometheus annotations", () => {
    const annotations = deployment.spec.template.metadata.annotations;
    expect(annotations["prometheus.io/scrape"]).toBe("true");
    expect(annotations["prometheus.io/path"]).toBe("/metrics");
    expect(metricsRoutes({} as OriginServices["metrics"]).routes.map((route) => route.path)).toContain("/metrics");
  });

  it("scrape port is metrics port", () => {
    const annotated = Number(deployment.spec.template.metadata.annotations["prometheus.io/port"]);
    expect(DOCKERFILE_METRICS_PORT).toBe(9464);
    expect(annotated).toBe(DOCKERFILE_METRICS_PORT);
    expect(containerPort(container, "metrics")).toBe(annotated);
    expect(envValue(container, "METRICS_PORT")?.value).toBe(String(annotated));
    expect(annotated).not.toBe(containerPort(container, "http"));
  });

  it("service account without token", () => {
    expect(find(manifests, "ServiceAccount").automountServiceAccountToken).toBe(false);
    expect(podSpec.serviceAccountName).toBe(find(manifests, "ServiceAccount").metadata.name);
  });

  it("service account pulls from ghcr", () => {
    expect(find(manifests, "ServiceAccount").imagePullSecrets).toEqual([{ name: "ghcr-pull" }]);
    expect(container.image).toMatch(/^ghcr\.io\//);
  });

  it("service selects pods", () => {
    expect(find(manifests, "Service").spec.selector).toEqual(deployment.spec.template.metadata.labels);
  });

  it("hpa bounds and targets", () => {
    const hpa = find(manifests, "HorizontalPodAutoscaler");
    const utilization = (name: string) => hpa.spec.metrics.find((metric: Manifest) => metric.resource?.name === name)?.resource.target.averageUtilization;
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: deployment.metadata.name });
    expect(hpa.spec.minReplicas).toBe(2);
    expect(hpa.spec.maxReplicas).toBe(10);
    expect(utilization("cpu")).toBe(70);
    expect(utilization("memory")).toBe(80);
  });

  it("hpa behavior", () => {
    const behavior = find(manifests, "HorizontalPodAutoscaler").spec.behavior;
    expect(behavior.scaleDown.stabilizationWindowSeconds).toBe(300);
    expect(behavior.scaleUp.stabilizationWindowSeconds).toBe(0);
    expect(behavior.scaleUp.policies.some((policy: Manifest) => policy.type === "Percent" && policy.value >= 100 && policy.periodSeconds <= 15)).toBe(true);
  });

  it("pdb allows one disruption", () => {
    const pdb = find(manifests, "PodDisruptionBudget");
    expect(pdb.spec.maxUnavailable).toBe(1);
    expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
  });

  it("ingress class and tls", () => {
    const ingress = find(manifests, "Ingress");
    expect(ingress.spec.ingressClassName).toBe("nginx");
    expect(ingress.metadata.annotations["cert-manager.io/cluster-issuer"]).toBeTruthy();
    expect(ingress.spec.tls[0].hosts).toContain(ingress.spec.rules[0].host);
    expect(ingress.spec.rules[0].http.paths[0].backend.service.name).toBe(find(manifests, "Service").metadata.name);
  });

  it("ingress routes only http", () => {
    const backends = find(manifests, "Ingress").spec.rules.flatMap((rule: Manifest) => rule.http.paths.map((path: Manifest) => path.backend.service));
    expect(backends.length).toBeGreaterThan(0);
    for (const backend of backends) expect(backend.port).toEqual({ name: "http" });
  });

  it("ingress rate limit", () => {
    const annotations = find(manifests, "Ingress").metadata.annotations;
    expect(annotations["nginx.ingress.kubernetes.io/limit-rpm"]).toBe("10");
    expect(annotations["nginx.ingress.kubernetes.io/limit-burst-multiplier"]).toBe("1");
  });

  it("rate limit whitelist is CIDRs", () => {
    const whitelist: string = find(manifests, "Ingress").metadata.annotations["nginx.ingress.kubernetes.io/limit-whitelist"];
    const blocks = whitelist.split(",");
    expect(whitelist).not.toMatch(/\s/);
    expect(blocks.map(cidrProblem).filter((problem) => problem !== undefined)).toEqual([]);
    expect(new Set(blocks).size).toBe(blocks.length);
    // Cloudflare's published list has 15 IPv4 and 7 IPv6 ranges.
    expect(blocks.filter((block) => isIP(block.split("/")[0]!) === 4)).toHaveLength(15);
    expect(blocks.filter((block) => isIP(block.split("/")[0]!) === 6)).toHaveLength(7);
    expect(blocks).toContain("104.16.0.0/13");
    expect(blocks).toContain("2606:4700::/32");
  });

  it("networkpolicy ingress sources", () => {
    const policy = find(manifests, "NetworkPolicy");
    const sources = policy.spec.ingress.flatMap((rule: Manifest) => rule.from.map((peer: Manifest) => peer.namespaceSelector.matchLabels["kubernetes.io/metadata.name"]));
    expect(policy.spec.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(sources.sort()).toEqual(["ingress-nginx", "monitoring"]);
  });

  it.each([
    ["ingress-nginx", 8000],
    ["monitoring", 9464],
  ])("networkpolicy lets %s reach %i only", (namespace, port) => {
    const rules = find(manifests, "NetworkPolicy").spec.ingress.filter((rule: Manifest) =>
      rule.from.some((peer: Manifest) => peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] === namespace),
    );
    expect(rules).toHaveLength(1);
    expect(rules[0].from).toHaveLength(1);
    expect(rules[0].ports).toEqual([{ protocol: "TCP", port }]);
  });

  it("networkpolicy ports match container", () => {
    const ports = find(manifests, "NetworkPolicy").spec.ingress.flatMap((rule: Manifest) => rule.ports.map((entry: Manifest) => entry.port));
    expect(new Set(ports)).toEqual(new Set([containerPort(container, "http"), containerPort(container, "metrics")]));
  });

  it("networkpolicy egress ports", () => {
    const policy = find(manifests, "NetworkPolicy");
    const ports = policy.spec.egress.flatMap((rule: Manifest) => rule.ports.map((port: Manifest) => `${port.protocol}/${port.port}`));
    expect(policy.spec.egress.every((rule: Manifest) => rule.to === undefined)).toBe(true);
    expect(ports.sort()).toEqual(["TCP/443", "TCP/53", "TCP/5432", "TCP/6379", "UDP/53"]);
  });
});
