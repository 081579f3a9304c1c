// The Cloud Run deploy workflow. It passes actionlint and runs after the Deploy workflow on main or
// by hand, in both cases only when the variable GCP_PROJECT_ID is set. It authenticates to Google Cloud through Workload Identity Federation, copies the image
// instead of rebuilding it, and smoke-tests both origin endpoints. The image-name and render scripts
// run here for real, with this machine's bash and GNU sed, against deploy/cloudrun/service.yaml.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { lintWorkflow } from "./actionlint";

const ROOT = join(import.meta.dirname, "../..");
const WORKFLOW_PATH = ".github/workflows/deploy-cloudrun.yml";
const source = readFileSync(join(ROOT, WORKFLOW_PATH), "utf8");

type Step = { id?: string; name?: string; uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> };
type Job = { if?: string; needs?: string; environment?: string; permissions?: Record<string, string>; env?: Record<string, string>; steps: Step[] };
type Workflow = {
  name: string;
  on: { workflow_run?: { workflows: string[]; types: string[]; branches: string[] }; workflow_dispatch?: { inputs: Record<string, { required?: boolean }> } };
  jobs: Record<string, Job>;
};

const workflow = parse(source) as Workflow;
const deployWorkflow = parse(readFileSync(join(ROOT, ".github/workflows/deploy.yml"), "utf8")) as Workflow;
const gate = workflow.jobs["image-built"]!;
const job = workflow.jobs["deploy-cloudrun"]!;
const steps = job.steps;

function stepUsing(action: string): Step {
  const matches = steps.filter((step) => step.uses?.startsWith(`${action}@`));
  if (matches.length !== 1) throw new Error(`expected one step using ${action}, found ${matches.length}`);
  return matches[0]!;
}

function stepWithId(id: string): Step {
  const step = steps.find((candidate) => candidate.id === id);
  if (step === undefined) throw new Error(`no step with id "${id}"`);
  return step;
}

describe("deploy-cloudrun workflow", () => {
  it("passes actionlint", async () => {
    expect(await lintWorkflow(source, WORKFLOW_PATH)).toBe("");
  });

  it("runs after Deploy on main", () => {
    expect(workflow.on.workflow_run).toEqual({ workflows: [deployWorkflow.name], types: ["completed"], branches: ["main"] });
    expect(gate.if).toContain("github.event.workflow_run.conclusion == 'success'");
  });

  it("runs only with GCP_PROJECT_ID", () => {
    expect(gate.if).toBe(
      "(github.event_name == 'workflow_dispatch' || github.event.workflow_run.conclusion == 'success') && vars.GCP_PROJECT_ID != ''",
    );
    expect(job.env?.GCP_PROJECT_ID).toBe("${{ vars.GCP_PROJECT_ID }}");
  });

  it("deploys only a pushed image", () => {
    // Deploy's image job must have succeeded, whatever the Deploy run's own conclusion.
    expect(job.needs).toBe("image-built");
    expect(job.if).toBe("needs.image-built.outputs.built == 'true'");
    expect(deployWorkflow.jobs.image).toBeDefined();
    expect(gate.steps[0]?.run).toContain('select(.name == "image")');
  });

  it("header names the switch", () => {
    const lines = source.split("\n");
    const header = lines.slice(0, lines.findIndex((line) => !line.startsWith("#"))).join("\n");
    expect(header).toContain("GCP_PROJECT_ID");
  });

  it("dispatch takes a tag", () => {
    expect(workflow.on.workflow_dispatch?.inputs.tag?.required).toBe(true);
    expect(job.env?.TAG).toBe("${{ inputs.tag || github.event.workflow_run.head_sha }}");
  });

  it("deploy job in production", () => {
    expect(Object.keys(workflow.jobs)).toEqual(["image-built", "deploy-cloudrun"]);
    expect(job.environment).toBe("production");
    // The gate needs no approval and may only read Actions data.
    expect(gate.environment).toBeUndefined();
    expect(gate.permissions).toEqual({ actions: "read" });
  });

  it("authenticates through WIF", () => {
    const auth = stepUsing("google-github-actions/auth");
    expect(auth.uses).toBe("google-github-actions/auth@v2");
    expect(auth.with?.workload_identity_provider).toBe("${{ vars.GCP_WORKLOAD_IDENTITY_PROVIDER }}");
    expect(auth.with?.service_account).toBe("${{ vars.GCP_DEPLOY_SERVICE_ACCOUNT }}");
    expect(auth.with?.credentials_json).toBeUndefined();
    expect(job.permissions?.["id-token"]).toBe("write");
    expect(source).not.toMatch(/credentials_json|GOOGLE_APPLICATION_CREDENTIALS|service_account_key/);
  });

  it("copies image without rebuilding", () => {
    const copy = steps.find((step) => step.run?.includes("docker buildx imagetools create"));
    expect(copy?.run).toBe('docker buildx imagetools create --tag "$TARGET" "$SOURCE"');
    expect(copy?.env?.SOURCE).toBe("${{ steps.image.outputs.source }}");
    expect(steps.some((step) => step.uses?.startsWith("docker/build-push-action@"))).toBe(false);
    expect(job.permissions?.packages).toBe("read");
  });

  it("image names match Deploy", () => {
    const names = stepWithId("image").run ?? "";
    expect(names).toContain("source=ghcr.io/${OWNER,,}/flight-delay-origin:${TAG}");
    expect(names).toContain("target=${GCP_REGION}-docker.pkg.dev/${GCP_PROJECT_ID}/flight-delay/flight-delay-origin:${TAG}");
    // Deploy pushes ghcr.io/<owner>/flight-delay-origin:<CI head_sha>.
    expect(JSON.stringify(deployWorkflow)).toContain("ghcr.io/${OWNER,,}/flight-delay-origin:${SHA}");
  });

  it("deploys the rendered manifest", () => {
    const deploy = stepUsing("google-github-actions/deploy-cloudrun");
    expect(deploy.uses).toBe("google-github-actions/deploy-cloudrun@v2");
    expect(deploy.id).toBe("deploy");
    expect(deploy.with?.metadata).toBe("${{ steps.render.outputs.path }}");
  });

  it("smoke-tests both endpoints", () => {
    const smoke = steps.find((step) => step.name?.startsWith("Smoke test"));
    expect(smoke?.env?.BASE_URL).toBe("${{ steps.deploy.outputs.url }}");
    expect(smoke?.env?.ORIGIN_SHARED_SECRET).toBe("${{ secrets.ORIGIN_SHARED_SECRET }}");
    expect(smoke?.run).toContain('"$BASE_URL/health"');
    expect(smoke?.run).toContain('"$BASE_URL/predict"');
    expect(smoke?.run).toContain('-H "x-origin-secret: $ORIGIN_SHARED_SECRET"');
    expect(smoke?.run).toMatch(/-d '\{"origin": "ORD"/);
  });

  it("documents the rollback", () => {
    expect(source).toContain("gcloud run services update-traffic flight-delay-origin --region REGION --to-revisions PREVIOUS=100");
  });
});

describe("deploy-cloudrun scripts", () => {
  const workDirectory = mkdtempSync(join(tmpdir(), "ci-cloudrun-"));
  afterAll(() => rmSync(workDirectory, { recursive: true, force: true }));

  /** Runs one step's script from the repository root with the bash flags GitHub's runner uses. */
  function runStep(id: string, env: Record<string, string>) {
    const outputFile = join(workDirectory, `${id}-output`);
    const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", stepWithId(id).run ?? ""], {
      cwd: ROOT,
      encoding: "utf8",
      env: { PATH: process.env.PATH, HOME: workDirectory, GITHUB_OUTPUT: outputFile, RUNNER_TEMP: workDirectory, ...env },
    });
    return { ...result, outputs: result.status === 0 ? readOutputs(outputFile) : {} };
  }

  /** Parses the `name=value` lines a step appended to GITHUB_OUTPUT. */
  function readOutputs(file: string): Record<string, string> {
    const outputs: Record<string, string> = {};
    for (const line of readFileSync(file, "utf8").split("\n").filter((entry) => entry !== "")) {
      const separator = line.indexOf("=");
      outputs[line.slice(0, separator)] = line.slice(separator + 1);
    }
    return outputs;
  }

  const sha = "0123456789abcdef0123456789abcdef01234567";

  it("image names from tag", () => {
    const result = runStep("image", { TAG: sha, OWNER: "Example-Org", GCP_REGION: "europe-west1", GCP_PROJECT_ID: "acme-prod" });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.outputs.source).toBe(`ghcr.io/example-org/flight-delay-origin:${sha}`);
    expect(result.outputs.registry).toBe("europe-west1-docker.pkg.dev");
    expect(result.outputs.target).toBe(`europe-west1-docker.pkg.dev/acme-prod/flight-delay/flight-delay-origin:${sha}`);
  });

  it.each(["", "main;rm -rf /", "-x", "a b"])("image names reject tag %j", (tag) => {
    const result = runStep("image", { TAG: tag, OWNER: "example", GCP_REGION: "europe-west1", GCP_PROJECT_ID: "acme-prod" });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("::error::invalid image tag");
  });

  it("render fills placeholders", () => {
    const result = runStep("render", { TAG: sha, GCP_REGION: "europe-west1", GCP_PROJECT_ID: "acme-prod" });
    expect(result.stdout + result.stderr).toBe("");
    expect(result.status).toBe(0);

    const rendered = parse(readFileSync(result.outputs.path!, "utf8")) as Record<string, any>;
    const spec = rendered.spec.template.spec;
    expect(result.outputs.path).toBe(join(workDirectory, "cloudrun-service.yaml"));
    expect(spec.containers[0].image).toBe(`europe-west1-docker.pkg.dev/acme-prod/flight-delay/flight-delay-origin:${sha}`);
    expect(spec.serviceAccountName).toBe("flight-delay-origin@acme-prod.iam.gserviceaccount.com");
    expect(JSON.stringify(rendered)).not.toMatch(/\b(REGION|PROJECT_ID|TAG)\b/);
  });

  it("render rejects leftover placeholders", () => {
    // A value that is itself a placeholder name stays in the output, and the check must catch it.
    const result = runStep("render", { TAG: "TAG", GCP_REGION: "europe-west1", GCP_PROJECT_ID: "acme-prod" });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("::error::placeholders left");
  });
});
