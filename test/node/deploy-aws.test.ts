// The AWS deployment files in deploy/: the ECS task definition (type-checked against the ECS SDK's
// RegisterTaskDefinitionCommandInput), the CloudFormation service template (parsed with its short
// intrinsic tags, every reference resolved) and the Terraform module (parsed by @cdktf/hcl2json,
// every reference resolved). Nothing here calls AWS.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { getReferencesInExpression, parse as parseHcl } from "@cdktf/hcl2json";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { parse as parseYaml, parseDocument, type Tags } from "yaml";
import { probeRoutes } from "../../origin/routes/probes";
import type { OriginServices } from "../../origin/services";

const ROOT = join(import.meta.dirname, "../..");
const TASK_DEFINITION_FILE = join(ROOT, "deploy/ecs/task-definition.json");
const CLOUDFORMATION_FILE = join(ROOT, "deploy/ecs/service.cloudformation.yaml");
const TERRAFORM_DIR = join(ROOT, "deploy/terraform");
const DEPLOY_WORKFLOW_FILE = join(ROOT, ".github/workflows/deploy.yml");
const dockerfile = readFileSync(join(ROOT, "origin/Dockerfile"), "utf8");
const ORIGIN_SECRET_NAMES = ["DATABASE_URL", "REDIS_URL", "ORIGIN_SHARED_SECRET"];

// Plain objects on purpose: the tests read nested fields of parsed JSON, YAML and HCL.
type Node = Record<string, any>;

const probePaths = probeRoutes({} as OriginServices)
  .routes.filter((route) => route.method === "GET")
  .map((route) => route.path);

// ---- ECS task definition ----

/**
 * Type-checks `json` as an object literal that `satisfies RegisterTaskDefinitionCommandInput`, so
 * string unions (networkMode, protocol, logDriver) and excess properties are checked as well.
 * The source is virtual: it is compiled in memory next to this test, which resolves node_modules.
 */
function typeCheckTaskDefinition(json: string): string[] {
  const fileName = join(import.meta.dirname, "__task-definition-check.ts");
  const source = [
    'import type { RegisterTaskDefinitionCommandInput } from "@aws-sdk/client-ecs";',
    `export const taskDefinition = (${json.trim()}) satisfies RegisterTaskDefinitionCommandInput;`,
  ].join("\n");
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.getSourceFile = (name, languageVersion, ...rest) =>
    name === fileName ? ts.createSourceFile(name, source, languageVersion) : getSourceFile(name, languageVersion, ...rest);
  host.fileExists = (name) => name === fileName || fileExists(name);

  const program = ts.createProgram([fileName], options, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
}

/** Reads the exec form of the Dockerfile's HEALTHCHECK CMD, a JSON array once line continuations are joined. */
function dockerHealthcheck(): string[] {
  const joined = dockerfile.replace(/\\\n\s*/g, " ");
  const match = /^HEALTHCHECK\s.*?CMD\s+(\[.*\])\s*$/m.exec(joined);
  if (match?.[1] === undefined) throw new Error("origin/Dockerfile has no HEALTHCHECK ... CMD [...] line");
  return JSON.parse(match[1]) as string[];
}

/** Reads the ports of the Dockerfile's EXPOSE line. */
function dockerExposedPorts(): number[] {
  const match = /^EXPOSE\s+(.+)$/m.exec(dockerfile);
  if (match?.[1] === undefined) throw new Error("origin/Dockerfile has no EXPOSE line");
  return match[1].trim().split(/\s+/).map((port) => Number(port.split("/")[0]));
}

/** Reads a variable's value from the Dockerfile's ENV instructions, once line continuations are joined. */
function dockerEnv(name: string): string | undefined {
  const joined = dockerfile.replace(/\\\n\s*/g, " ");
  const line = joined.split("\n").find((text) => text.startsWith("ENV ") && new RegExp(`\\b${name}=`).test(text));
  return line === undefined ? undefined : new RegExp(`\\b${name}=(\\S+)`).exec(line)?.[1];
}

function portMapping(container: Node, name: string): Node {
  const mapping = (container.portMappings as Node[]).find((entry) => entry.name === name);
  if (mapping === undefined) throw new Error(`task definition has no port mapping named "${name}"`);
  return mapping;
}

function environmentValue(container: Node, name: string): string | undefined {
  return (container.environment as Node[]).find((entry) => entry.name === name)?.value;
}

describe("ecs task definition", () => {
  const text = readFileSync(TASK_DEFINITION_FILE, "utf8");
  const task = JSON.parse(text) as Node;
  const container = task.containerDefinitions[0] as Node;

  it("satisfies RegisterTaskDefinitionCommandInput", () => {
    expect(typeCheckTaskDefinition(text)).toEqual([]);
  });

  it("type check rejects wrong values", () => {
    const broken = { ...task, networkMode: "overlay", containerDefinitions: [{ ...container, portMapping: [] }] };
    const errors = typeCheckTaskDefinition(JSON.stringify(broken));
    expect(errors.some((error) => error.includes('"overlay"'))).toBe(true);
    expect(errors.some((error) => error.includes("portMapping"))).toBe(true);
  });

  it("fargate awsvpc sizing", () => {
    expect(task.requiresCompatibilities).toEqual(["FARGATE"]);
    expect(task.networkMode).toBe("awsvpc");
    expect(task.cpu).toBe("1024");
    expect(task.memory).toBe("2048");
    expect(task.containerDefinitions).toHaveLength(1);
  });

  it("port matches Dockerfile", () => {
    const http = portMapping(container, "http");
    expect(dockerEnv("PORT")).toBe("8000");
    expect(http).toEqual(expect.objectContaining({ containerPort: 8000, protocol: "tcp" }));
    expect(dockerExposedPorts()).toContain(http.containerPort);
    expect(environmentValue(container, "PORT")).toBe(String(http.containerPort));
  });

  it("metrics port matches Dockerfile", () => {
    const metrics = portMapping(container, "metrics");
    expect(dockerEnv("METRICS_PORT")).toBe("9464");
    expect(metrics).toEqual(expect.objectContaining({ containerPort: 9464, protocol: "tcp" }));
    expect(dockerExposedPorts()).toContain(metrics.containerPort);
    expect(environmentValue(container, "METRICS_PORT")).toBe(String(metrics.containerPort));
    expect(environmentValue(container, "METRICS_PORT")).toBe(dockerEnv("METRICS_PORT"));
  });

  it("only http and metrics ports", () => {
    expect(container.portMappings.map((entry: Node) => entry.name)).toEqual(["http", "metrics"]);
    expect(environmentValue(container, "METRICS_PORT")).not.toBe(environmentValue(container, "PORT"));
  });

  it("image comes from ECR", () => {
    expect(container.image).toMatch(/^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\/flight-delay-origin:/);
  });

  it("user matches Dockerfile", () => {
    const user = /^USER\s+(\d+)/m.exec(dockerfile)?.[1];
    expect(user).toBe("1000");
    expect(container.user).toBe(user);
  });

  it("read-only root with tmp volume", () => {
    const mount = container.mountPoints.find((entry: Node) => entry.containerPath === "/tmp");
    expect(container.readonlyRootFilesystem).toBe(true);
    expect(mount?.readOnly).toBe(false);
    expect(task.volumes.map((volume: Node) => volume.name)).toContain(mount?.sourceVolume);
  });

  it.each(ORIGIN_SECRET_NAMES)("secret %s from Secrets Manager", (name) => {
    const secret = container.secrets.find((entry: Node) => entry.name === name);
    expect(secret?.valueFrom).toMatch(/^arn:aws:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+/);
    expect(secret?.valueFrom.endsWith(`:secret:flight-delay-origin/${name}`)).toBe(true);
    expect(container.environment.map((entry: Node) => entry.name)).not.toContain(name);
  });

  it("secrets are exactly the three", () => {
    expect(container.secrets.map((entry: Node) => entry.name).sort()).toEqual([...ORIGIN_SECRET_NAMES].sort());
  });

  it("healthcheck matches Dockerfile", () => {
    expect(container.healthCheck.command).toEqual(["CMD", ...dockerHealthcheck()]);
    expect(container.healthCheck.command.join(" ")).toContain("http://127.0.0.1:8000/health");
    expect(probePaths).toContain("/health");
  });

  it("awslogs configuration", () => {
    expect(container.logConfiguration.logDriver).toBe("awslogs");
    expect(container.logConfiguration.options["awslogs-group"]).toBeTruthy();
    expect(container.logConfiguration.options["awslogs-region"]).toBeTruthy();
    expect(container.logConfiguration.options["awslogs-stream-prefix"]).toBeTruthy();
  });
});

// ---- CloudFormation ----

/** Short-form intrinsic functions in their scalar form. Any other form leaves a YAML warning, so the parse test fails. */
const CLOUDFORMATION_TAGS: Tags = [
  { tag: "!Ref", identify: () => false, resolve: (value: string) => ({ Ref: value }) },
  { tag: "!Sub", identify: () => false, resolve: (value: string) => ({ "Fn::Sub": value }) },
  { tag: "!GetAtt", identify: () => false, resolve: (value: string) => ({ "Fn::GetAtt": value.split(".") }) },
];

function parseCloudFormation(text: string) {
  return parseDocument(text, { customTags: CLOUDFORMATION_TAGS });
}

/** Logical names used by Ref, Fn::GetAtt, ${...} in Fn::Sub and DependsOn, with the function that used them. */
function collectReferences(node: unknown, found: Array<{ via: string; name: string }> = []): Array<{ via: string; name: string }> {
  if (Array.isArray(node)) {
    for (const item of node) collectReferences(item, found);
  } else if (typeof node === "object" && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === "Ref") found.push({ via: "Ref", name: value as string });
      else if (key === "Fn::GetAtt") found.push({ via: "GetAtt", name: (value as string[])[0]! });
      else if (key === "Fn::Sub") {
        for (const match of (value as string).matchAll(/\$\{([^}!]+)\}/g)) found.push({ via: "Sub", name: match[1]!.split(".")[0]! });
      } else if (key === "DependsOn") {
        for (const name of [value].flat()) found.push({ via: "DependsOn", name: name as string });
      } else collectReferences(value, found);
    }
  }
  return found;
}

describe("cloudformation service", () => {
  const document = parseCloudFormation(readFileSync(CLOUDFORMATION_FILE, "utf8"));
  const template = document.toJS() as Node;
  const resources = template.Resources as Record<string, Node>;
  const service = resources.Service!.Properties as Node;
  const taskDefinition = JSON.parse(readFileSync(TASK_DEFINITION_FILE, "utf8")) as Node;

  it("yaml parses cleanly", () => {
    expect(document.errors).toEqual([]);
    expect(document.warnings).toEqual([]);
  });

  it("unknown tag is reported", () => {
    const broken = parseCloudFormation("Value: !Join [',', [a, b]]\n");
    expect(broken.warnings.length + broken.errors.length).toBeGreaterThan(0);
  });

  it("references resolve", () => {
    const declared = new Set([...Object.keys(template.Parameters), ...Object.keys(resources)]);
    const references = collectReferences(template);
    expect(references.length).toBeGreaterThan(10);
    for (const { via, name } of references) {
      const resolvable = name.startsWith("AWS::") || (via !== "GetAtt" && via !== "DependsOn" ? declared.has(name) : name in resources);
      expect(resolvable, `${via} ${name}`).toBe(true);
    }
  });

  it("parameters for the environment", () => {
    expect(Object.keys(template.Parameters)).toEqual(
      expect.arrayContaining(["ClusterName", "TaskDefinitionArn", "SubnetIds", "TaskSecurityGroupId", "ListenerArn", "VpcId"]),
    );
  });

  it("service runs 3 fargate tasks", () => {
    expect(template.Parameters.DesiredCount.Default).toBe(3);
    expect(service.DesiredCount).toEqual({ Ref: "DesiredCount" });
    expect(service.LaunchType).toBe("FARGATE");
    expect(service.TaskDefinition).toEqual({ Ref: "TaskDefinitionArn" });
  });

  it("circuit breaker rolls back", () => {
    expect(service.DeploymentConfiguration.DeploymentCircuitBreaker).toEqual({ Enable: true, Rollback: true });
  });

  it("load balancer targets container", () => {
    const [target] = service.LoadBalancers;
    expect(target.ContainerName).toBe(taskDefinition.containerDefinitions[0].name);
    expect(target.ContainerPort).toBe(portMapping(taskDefinition.containerDefinitions[0], "http").containerPort);
    expect(target.TargetGroupArn).toEqual({ Ref: "TargetGroup" });
  });

  it("metrics port off the load balancer", () => {
    const metricsPort = portMapping(taskDefinition.containerDefinitions[0], "metrics").containerPort;
    expect(service.LoadBalancers).toHaveLength(1);
    expect(service.LoadBalancers.map((target: Node) => target.ContainerPort)).not.toContain(metricsPort);
    expect((resources.TargetGroup!.Properties as Node).Port).not.toBe(metricsPort);
  });

  it("target group checks readiness", () => {
    const targetGroup = resources.TargetGroup!.Properties as Node;
    expect(targetGroup.HealthCheckPath).toBe("/ready");
    expect(probePaths).toContain(targetGroup.HealthCheckPath);
    expect(targetGroup.Port).toBe(8000);
    expect(targetGroup.TargetType).toBe("ip");
  });

  it("autoscaling 2 to 10", () => {
    const target = resources.ScalableTarget!.Properties as Node;
    expect(target.MinCapacity).toBe(2);
    expect(target.MaxCapacity).toBe(10);
    expect(target.ScalableDimension).toBe("ecs:service:DesiredCount");
  });

  it("cpu target tracking 70", () => {
    const policy = resources.CpuScalingPolicy!.Properties as Node;
    expect(policy.PolicyType).toBe("TargetTrackingScaling");
    expect(policy.ScalingTargetId).toEqual({ Ref: "ScalableTarget" });
    expect(policy.TargetTrackingScalingPolicyConfiguration.TargetValue).toBe(70);
    expect(policy.TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.PredefinedMetricType).toBe("ECSServiceAverageCPUUtilization");
  });
});

// ---- Terraform ----

/** Reference roots that need no declaration: meta-arguments and built-in objects. */
const BUILT_IN_ROOTS = new Set(["count", "each", "path", "terraform", "self"]);

function* stringsIn(node: unknown, key = ""): Generator<{ key: string; text: string }> {
  if (typeof node === "string") yield { key, text: node };
  else if (Array.isArray(node)) for (const item of node) yield* stringsIn(item, key);
  else if (typeof node === "object" && node !== null) for (const [name, value] of Object.entries(node)) yield* stringsIn(value, name);
}

const terraformFiles = readdirSync(TERRAFORM_DIR).filter((file) => file.endsWith(".tf")).sort();
const terraform = Object.fromEntries(
  await Promise.all(terraformFiles.map(async (file) => [file, (await parseHcl(file, readFileSync(join(TERRAFORM_DIR, file), "utf8"))) as Node] as const)),
);

/**
 * Merges the `kind` blocks (resource, data, variable, ...) of all files. Labelled kinds merge per type,
 * because several files may declare blocks of one type, for example aws_iam_role.
 */
function blocks(kind: string): Node {
  const merged: Node = {};
  for (const file of Object.values(terraform)) {
    for (const [type, body] of Object.entries((file[kind] ?? {}) as Node)) {
      const labelled = kind === "resource" || kind === "data";
      merged[type] = labelled ? { ...merged[type], ...body } : body;
    }
  }
  return merged;
}

function dataSource(type: string, name: string): Node {
  const block = blocks("data")[type]?.[name]?.[0];
  if (block === undefined) throw new Error(`data ${type}.${name} not found in ${TERRAFORM_DIR}`);
  return block;
}

/** Returns the statements of a `data "aws_iam_policy_document"` block. */
function policyStatements(name: string): Node[] {
  return dataSource("aws_iam_policy_document", name).statement as Node[];
}

function statementWithSid(name: string, sid: string): Node {
  const statement = policyStatements(name).find((entry) => entry.sid === sid);
  if (statement === undefined) throw new Error(`policy document ${name} has no statement "${sid}"`);
  return statement;
}

/** True when a security group rule's port range contains `port`; ip_protocol -1 means every port. */
function coversPort(rule: Node, port: number): boolean {
  if (rule.ip_protocol === "-1" || rule.ip_protocol === "all") return true;
  return Number(rule.from_port) <= port && port <= Number(rule.to_port);
}

function resource(type: string, name: string): Node {
  const block = blocks("resource")[type]?.[name]?.[0];
  if (block === undefined) throw new Error(`resource ${type}.${name} not found in ${TERRAFORM_DIR}`);
  return block;
}

describe("terraform module", () => {
  const variables = blocks("variable");
  const resources = blocks("resource");
  const data = blocks("data");
  const modules = blocks("module");
  const locals = Object.assign({}, ...Object.values(terraform).flatMap((file) => file.locals ?? []));

  it("expected files present", () => {
    expect(terraformFiles).toEqual(expect.arrayContaining(["versions.tf", "variables.tf", "outputs.tf"]));
  });

  it.each(terraformFiles)("%s parses", (file) => {
    expect(Object.keys(terraform[file]!).length).toBeGreaterThan(0);
  });

  it("parser rejects invalid HCL", async () => {
    await expect(parseHcl("broken.tf", 'resource "aws_vpc" "x" {\n  cidr_block = \n')).rejects.toThrow();
  });

  it("references resolve", async () => {
    let count = 0;
    for (const [file, body] of Object.entries(terraform)) {
      for (const { key, text } of stringsIn(body)) {
        // `type = "${number}"` is a type constraint, not an expression.
        if (key === "type" || !text.includes("${")) continue;
        for (const { value } of await getReferencesInExpression(file, text)) {
          const [root = "", first = "", second = ""] = value.split(".");
          count++;
          if (BUILT_IN_ROOTS.has(root)) continue;
          const resolved =
            root === "var" ? first in variables
            : root === "local" ? first in locals
            : root === "module" ? first in modules
            : root === "data" ? data[first]?.[second] !== undefined
            : resources[root]?.[first] !== undefined;
          expect(resolved, `${file}: ${value}`).toBe(true);
        }
      }
    }
    expect(count).toBeGreaterThan(50);
  });

  it("aws provider pinned", () => {
    const [settings] = terraform["versions.tf"]!.terraform;
    const aws = settings.required_providers[0].aws;
    expect(aws.source).toBe("hashicorp/aws");
    expect(aws.version).toMatch(/^~> \d+\.\d+$/);
  });

  it("vpc spans three zones", () => {
    expect(variables.az_count[0].default).toBe(3);
    expect(resource("aws_subnet", "public").count).toBe("${var.az_count}");
    expect(resource("aws_subnet", "private").count).toBe("${var.az_count}");
    expect(resource("aws_nat_gateway", "main").count).toBe("${var.az_count}");
  });

  it("ecs container insights", () => {
    expect(resource("aws_ecs_cluster", "main").setting).toContainEqual({ name: "containerInsights", value: "enabled" });
  });

  it("alb access logs to s3", () => {
    const [accessLogs] = resource("aws_lb", "main").access_logs;
    expect(accessLogs.enabled).toBe(true);
    expect(accessLogs.bucket).toBe("${aws_s3_bucket.alb_logs.id}");
    expect(resource("aws_s3_bucket_policy", "alb_logs").bucket).toBe("${aws_s3_bucket.alb_logs.id}");
  });

  it("rds encrypted with backups", () => {
    const database = resource("aws_db_instance", "main");
    expect(database.engine).toBe("postgres");
    expect(database.storage_encrypted).toBe(true);
    expect(database.backup_retention_period).toBe("${var.db_backup_retention_days}");
    expect(variables.db_backup_retention_days[0].default).toBeGreaterThan(0);
    expect(database.performance_insights_enabled).toBe(true);
    expect(database.publicly_accessible).toBe(false);
  });

  it("redis failover and encryption", () => {
    const redis = resource("aws_elasticache_replication_group", "main");
    expect(redis.multi_az_enabled).toBe(true);
    expect(redis.automatic_failover_enabled).toBe(true);
    expect(redis.transit_encryption_enabled).toBe(true);
    expect(redis.at_rest_encryption_enabled).toBe(true);
    expect(redis.auth_token).toBe("${var.redis_auth_token}");
  });

  it("redis auth token sensitive", () => {
    expect(variables.redis_auth_token[0].sensitive).toBe(true);
    expect(variables.redis_auth_token[0].default).toBeUndefined();
  });

  it.each([
    ["tasks_from_alb", "tasks", "alb", 8000],
    ["rds_from_tasks", "rds", "tasks", 5432],
    ["redis_from_tasks", "redis", "tasks", 6379],
  ])("security group rule %s", (rule, group, source, port) => {
    const ingress = resource("aws_vpc_security_group_ingress_rule", rule);
    expect(ingress.security_group_id).toBe(`\${aws_security_group.${group}.id}`);
    expect(ingress.referenced_security_group_id).toBe(`\${aws_security_group.${source}.id}`);
    expect(ingress.from_port).toBe(port);
    expect(ingress.to_port).toBe(port);
    expect(ingress.ip_protocol).toBe("tcp");
  });

  it("only alb open to internet", () => {
    const open = Object.entries(resources.aws_vpc_security_group_ingress_rule as Node)
      .filter(([, [rule]]) => rule.cidr_ipv4 === "0.0.0.0/0")
      .map(([name]) => name);
    expect(open).toEqual(["alb_https"]);
  });
  it.each([
    ["tasks_metrics_from_scraper_group", "referenced_security_group_id", "${var.metrics_scraper_security_group_id}"],
    ["tasks_metrics_from_scraper_cidr", "cidr_ipv4", "${each.value}"],
  ])("metrics rule %s", (rule, sourceKey, source) => {
    const ingress = resource("aws_vpc_security_group_ingress_rule", rule);
    expect(ingress.security_group_id).toBe("${aws_security_group.tasks.id}");
    expect(ingress[sourceKey]).toBe(source);
    expect(ingress.from_port).toBe(9464);
    expect(ingress.to_port).toBe(9464);
    expect(ingress.ip_protocol).toBe("tcp");
  });

  it("metrics port only from scrapers", () => {
    const rules = Object.entries(resources.aws_vpc_security_group_ingress_rule as Node)
      .filter(([, [rule]]) => rule.security_group_id === "${aws_security_group.tasks.id}" && coversPort(rule, 9464))
      .map(([name]) => name)
      .sort();
    expect(rules).toEqual(["tasks_metrics_from_scraper_cidr", "tasks_metrics_from_scraper_group"]);
    expect(resource("aws_vpc_security_group_ingress_rule", "tasks_metrics_from_scraper_cidr").for_each).toBe(
      "${toset(var.metrics_scraper_cidr_blocks)}",
    );
    expect(variables.metrics_scraper_security_group_id[0].default).toBeNull();
    expect(variables.metrics_scraper_cidr_blocks[0].default).toEqual([]);
  });

  it("metrics cidr rejects /0", () => {
    const [validation] = variables.metrics_scraper_cidr_blocks[0].validation;
    expect(validation.condition).toContain('!endswith(cidr, "/0")');
  });

  it("alb cannot reach metrics port", () => {
    const albEgress = Object.values(resources.aws_vpc_security_group_egress_rule as Node)
      .map(([rule]) => rule)
      .filter((rule) => rule.security_group_id === "${aws_security_group.alb.id}");
    const fromAlb = Object.values(resources.aws_vpc_security_group_ingress_rule as Node)
      .map(([rule]) => rule)
      .filter((rule) => rule.referenced_security_group_id === "${aws_security_group.alb.id}");
    expect(albEgress.length).toBeGreaterThan(0);
    expect(fromAlb.length).toBeGreaterThan(0);
    for (const rule of [...albEgress, ...fromAlb]) expect(coversPort(rule, 9464), JSON.stringify(rule)).toBe(false);
  });

  it("ecr scans and keeps tags immutable", () => {
    const repository = resource("aws_ecr_repository", "origin");
    expect(repository.image_tag_mutability).toBe("IMMUTABLE");
    expect(repository.image_scanning_configuration).toEqual([{ scan_on_push: true }]);
    expect(["AES256", "KMS"]).toContain(repository.encryption_configuration[0].encryption_type);
    expect(repository.name).toBe("${local.origin_name}");
    expect(locals.origin_name).toBe("${var.name}-origin");
  });

  it("ecr lifecycle keeps last images", () => {
    const lifecycle = resource("aws_ecr_lifecycle_policy", "origin");
    expect(lifecycle.repository).toBe("${aws_ecr_repository.origin.name}");
    expect(lifecycle.policy).toContain('countType   = "imageCountMoreThan"');
    expect(lifecycle.policy).toContain("countNumber = var.ecr_keep_images");
    expect(variables.ecr_keep_images[0].default).toBeGreaterThanOrEqual(5);
  });

  it("secrets use one for_each", () => {
    const secret = resource("aws_secretsmanager_secret", "origin");
    const version = resource("aws_secretsmanager_secret_version", "origin");
    // A literal list, because Terraform rejects sensitive for_each keys.
    expect([...locals.origin_secret_names].sort()).toEqual([...ORIGIN_SECRET_NAMES].sort());
    expect(secret.for_each).toBe("${toset(local.origin_secret_names)}");
    expect(version.for_each).toBe("${toset(local.origin_secret_names)}");
    expect(Object.keys(resources.aws_secretsmanager_secret as Node)).toEqual(["origin"]);
    expect(Object.keys(resources.aws_secretsmanager_secret_version as Node)).toEqual(["origin"]);
  });

  it("secret resources by key", () => {
    const secret = resource("aws_secretsmanager_secret", "origin");
    const version = resource("aws_secretsmanager_secret_version", "origin");
    expect(secret.name).toBe("${local.origin_name}/${each.key}");
    expect(secret.description).toBe("${local.origin_secret_descriptions[each.key]}");
    expect(secret.recovery_window_in_days).toBe(7);
    expect(secret.tags).toBe("${var.tags}");
    expect(version.secret_id).toBe("${aws_secretsmanager_secret.origin[each.key].id}");
    expect(version.secret_string).toBe("${local.origin_secret_values[each.key]}");
    expect(locals.origin_secret_arns).toBe("${{ for name, secret in aws_secretsmanager_secret.origin : name => secret.arn }}");
  });

  it.each(ORIGIN_SECRET_NAMES)("secret %s has description and value", (name) => {
    expect(locals.origin_secret_descriptions[name]).toMatch(/\S/);
    expect(locals.origin_secret_values[name]).toMatch(/^\$\{.+\}$/s);
  });

  it("secret locals have only the three keys", () => {
    expect(Object.keys(locals.origin_secret_descriptions).sort()).toEqual([...ORIGIN_SECRET_NAMES].sort());
    expect(Object.keys(locals.origin_secret_values).sort()).toEqual([...ORIGIN_SECRET_NAMES].sort());
  });

  it("secret names match task definition", () => {
    const taskDefinition = JSON.parse(readFileSync(TASK_DEFINITION_FILE, "utf8")) as Node;
    const prefix = `${variables.name[0].default}-origin`;
    const secrets = taskDefinition.containerDefinitions[0].secrets as Node[];
    for (const secret of secrets) {
      expect(secret.valueFrom.endsWith(`:secret:${prefix}/${secret.name}`), secret.name).toBe(true);
    }
    expect(secrets.map((secret) => secret.name).sort()).toEqual([...locals.origin_secret_names].sort());
  });

  it("connection strings use TLS", () => {
    const database = locals.origin_secret_values.DATABASE_URL as string;
    const redis = locals.origin_secret_values.REDIS_URL as string;
    expect(database).toContain("postgres://");
    expect(database).toContain("sslmode=require");
    expect(database).toContain("random_password.db_master.result");
    expect(redis).toContain("rediss://");
    expect(redis).toContain("urlencode(var.redis_auth_token)");
    expect(resource("aws_db_instance", "main").password).toBe("${random_password.db_master.result}");
  });

  it("shared secret is random", () => {
    expect(locals.origin_secret_values.ORIGIN_SHARED_SECRET).toBe("${random_password.origin_shared_secret.result}");
    expect(resource("random_password", "origin_shared_secret").length).toBeGreaterThanOrEqual(32);
    expect(blocks("output").origin_shared_secret[0].sensitive).toBe(true);
  });

  it("execution role reads the three secrets", () => {
    const statements = policyStatements("execution_secrets");
    expect(statements).toHaveLength(1);
    expect(statements[0]!.actions).toEqual(["secretsmanager:GetSecretValue"]);
    expect(statements[0]!.resources).toBe("${values(local.origin_secret_arns)}");
    expect(resource("aws_iam_role_policy", "execution_secrets").role).toBe("${aws_iam_role.execution.id}");
  });

  it("execution role has the managed policy", () => {
    const attachment = resource("aws_iam_role_policy_attachment", "execution_managed");
    expect(attachment.role).toBe("${aws_iam_role.execution.name}");
    expect(attachment.policy_arn).toMatch(/:iam::aws:policy\/service-role\/AmazonECSTaskExecutionRolePolicy$/);
  });

  it("task role has no policy", () => {
    const grants = [
      ...Object.values((resources.aws_iam_role_policy ?? {}) as Node),
      ...Object.values((resources.aws_iam_role_policy_attachment ?? {}) as Node),
    ].map(([grant]) => grant.role as string);
    expect(grants.length).toBeGreaterThan(0);
    expect(grants.filter((role) => role.startsWith("${aws_iam_role.task."))).toEqual([]);
    expect(resource("aws_iam_role", "task").managed_policy_arns).toBeUndefined();
    expect(resource("aws_iam_role", "task").inline_policy).toBeUndefined();
  });

  it("task roles trust ECS tasks", () => {
    const [statement] = policyStatements("ecs_tasks_assume");
    expect(statement!.principals).toEqual([{ type: "Service", identifiers: ["ecs-tasks.amazonaws.com"] }]);
    expect(resource("aws_iam_role", "execution").assume_role_policy).toBe("${data.aws_iam_policy_document.ecs_tasks_assume.json}");
    expect(resource("aws_iam_role", "task").assume_role_policy).toBe("${data.aws_iam_policy_document.ecs_tasks_assume.json}");
  });

  it("oidc trust names repository and environment", () => {
    const [statement] = policyStatements("github_deploy_assume");
    const sub = (statement!.condition as Node[]).find((entry) => entry.variable === "${local.github_oidc_host}:sub");
    const aud = (statement!.condition as Node[]).find((entry) => entry.variable === "${local.github_oidc_host}:aud");
    expect(locals.github_oidc_host).toBe("token.actions.githubusercontent.com");
    expect(statement!.actions).toEqual(["sts:AssumeRoleWithWebIdentity"]);
    expect(sub?.test).toBe("StringEquals");
    expect(sub?.values).toBe('${formatlist("repo:${var.github_repository}:environment:%s", var.github_environments)}');
    expect(aud?.values).toEqual(["sts.amazonaws.com"]);
    expect(variables.github_repository[0].default).toBeUndefined();
  });

  it("oidc environments include the ECS job's", () => {
    const workflow = parseYaml(readFileSync(DEPLOY_WORKFLOW_FILE, "utf8")) as Node;
    expect(variables.github_environments[0].default).toContain(workflow.jobs["deploy-ecs"].environment);
  });

  it("oidc provider for GitHub", () => {
    const provider = resource("aws_iam_openid_connect_provider", "github");
    expect(provider.url).toBe("https://${local.github_oidc_host}");
    expect(provider.client_id_list).toEqual(["sts.amazonaws.com"]);
  });

  it("pass role limited to task roles", () => {
    const passRole = policyStatements("github_deploy").filter((statement) => (statement.actions as string[]).some((action) => action.startsWith("iam:")));
    expect(passRole).toHaveLength(1);
    expect(passRole[0]!.actions).toEqual(["iam:PassRole"]);
    expect(passRole[0]!.resources).toEqual(["${aws_iam_role.execution.arn}", "${aws_iam_role.task.arn}"]);
  });

  it("deploy role pushes only to the repository", () => {
    const push = statementWithSid("github_deploy", "EcrPushOrigin");
    expect(push.actions).toContain("ecr:PutImage");
    expect(push.resources).toEqual(["${aws_ecr_repository.origin.arn}"]);
    const wildcard = policyStatements("github_deploy").filter((statement) => (statement.resources as string[]).includes("*"));
    for (const statement of wildcard) {
      for (const action of statement.actions as string[]) expect(action, statement.sid).toMatch(/:(Get|Describe|RegisterTaskDefinition)/);
    }
  });

  it("deploy role limited to the stack", () => {
    const stack = statementWithSid("github_deploy", "ServiceStack");
    const workflow = parseYaml(readFileSync(DEPLOY_WORKFLOW_FILE, "utf8")) as Node;
    expect(stack.actions).toEqual(["cloudformation:*"]);
    expect(stack.resources).toEqual([expect.stringMatching(/:stack\/\$\{var\.ecs_service_stack_name\}\/\*$/)]);
    expect(workflow.jobs["deploy-ecs"].env.ECS_STACK_NAME).toBe(variables.ecs_service_stack_name[0].default);
    expect(workflow.jobs["deploy-ecs"].env.ECR_REPOSITORY).toBe(`${variables.name[0].default}-origin`);
  });

  it("deploy role task definition actions", () => {
    const actions = policyStatements("github_deploy").flatMap((statement) => statement.actions as string[]);
    expect(actions).toEqual(expect.arrayContaining(["ecs:RegisterTaskDefinition", "ecs:DescribeServices", "ecs:DescribeTaskDefinition"]));
  });

  it.each(["execution_role_arn", "task_role_arn", "github_deploy_role_arn", "ecr_repository_url", "secret_arns"])("output %s", (name) => {
    expect(blocks("output")[name]?.[0]?.value).toMatch(/^\$\{.+\}$/);
  });

  it("state backend note present", () => {
    const versions = readFileSync(join(TERRAFORM_DIR, "versions.tf"), "utf8");
    expect(versions).toContain('# backend "s3" {');
    expect(versions).toContain("encrypt      = true");
    expect(terraform["versions.tf"]!.terraform[0].required_providers[0].random.source).toBe("hashicorp/random");
  });
});
