// The AWS deployment files in deploy/: the ECS task definition (type-checked against the ECS SDK's
// RegisterTaskDefinitionCommandInput), the CloudFormation service template (parsed with its short
// intrinsic tags, every reference resolved) and the Terraform module (parsed by @cdktf/hcl2json,
// every reference resolved). Nothing here calls AWS.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { getReferencesInExpression, parse as parseHcl } from "@cdktf/hcl2json";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { parseDocument, type Tags } from "yaml";
import { probeRoutes } from "../../origin/routes/probes";
import type { OriginServices } from "../../origin/services";

const ROOT = join(import.meta.dirname, "../..");
const TASK_DEFINITION_FILE = join(ROOT, "deploy/ecs/task-definition.json");
const CLOUDFORMATION_FILE = join(ROOT, "deploy/ecs/service.cloudformation.yaml");
const TERRAFORM_DIR = join(ROOT, "deploy/terraform");
const dockerfile = readFileSync(join(ROOT, "origin/Dockerfile"), "utf8");

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
    const expose = Number(/^EXPOSE\s+(\d+)/m.exec(dockerfile)?.[1]);
    expect(expose).toBe(8000);
    expect(container.portMappings).toEqual([expect.objectContaining({ containerPort: expose, protocol: "tcp" })]);
    expect(container.environment).toContainEqual({ name: "PORT", value: String(expose) });
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

  it.each(["DATABASE_URL", "REDIS_URL", "ORIGIN_SHARED_SECRET"])("secret %s from Secrets Manager", (name) => {
    const secret = container.secrets.find((entry: Node) => entry.name === name);
    expect(secret?.valueFrom).toMatch(/^arn:aws:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+/);
    expect(container.environment.map((entry: Node) => entry.name)).not.toContain(name);
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
    expect(target.ContainerPort).toBe(taskDefinition.containerDefinitions[0].portMappings[0].containerPort);
    expect(target.TargetGroupArn).toEqual({ Ref: "TargetGroup" });
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

function blocks(kind: string): Node {
  return Object.assign({}, ...Object.values(terraform).map((file) => file[kind] ?? {}));
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
});
