// The origin image without a Docker engine. The runtime stage of origin/Dockerfile is rebuilt in a
// temporary folder from its COPY sources, its npm install and the build stage's bundle. Its CMD then
// runs as uid 1000 on a folder that user cannot write, as on a read-only root filesystem.

import { execFileSync, spawn } from "node:child_process";
import { chmodSync, cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "./ports";

interface Stage {
  name: string;
  env: Record<string, string>;
  copies: Array<{ from?: string; sources: string[]; target: string }>;
  runs: string[];
  user?: string;
  expose?: string;
  healthcheck?: string;
  cmd?: string[];
}

/** Reads the instructions this test needs from a Dockerfile (line continuations joined). */
function parseDockerfile(text: string): Stage[] {
  const lines = text.replace(/\\\n\s*/g, " ").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [instruction = "", ...rest] = line.split(/\s+/);
    const args = rest.join(" ");
    const stage = stages.at(-1);
    switch (instruction.toUpperCase()) {
      case "FROM":
        stages.push({ name: args.split(/\s+AS\s+/i)[1] ?? "", env: {}, copies: [], runs: [] });
        break;
      case "ENV":
        for (const [, key, value] of args.matchAll(/(\w+)=(\S+)/g)) stage!.env[key!] = value!;
        break;
      case "COPY": {
        const parts = args.split(/\s+/);
        const from = parts[0]!.startsWith("--from=") ? parts.shift()!.slice("--from=".length) : undefined;
        const target = parts.pop()!;
        stage!.copies.push({ from, sources: parts, target });
        break;
      }
      case "RUN":
        stage!.runs.push(args);
        break;
      case "USER":
        stage!.user = args;
        break;
      case "EXPOSE":
        stage!.expose = args;
        break;
      case "HEALTHCHECK":
        stage!.healthcheck = args;
        break;
      case "CMD":
        stage!.cmd = JSON.parse(args) as string[];
        break;
    }
  }
  return stages;
}

const stages = parseDockerfile(readFileSync("origin/Dockerfile", "utf8"));
const build = stages.find((s) => s.name === "build")!;
const runtime = stages.find((s) => s.name === "runtime")!;
const root = mkdtempSync(join(tmpdir(), "origin-image-"));
const app = join(root, "app");
const writable = mkdtempSync(join(tmpdir(), "origin-image-tmp-"));

beforeAll(() => {
  // Build stage: its last RUN produces the bundle that the runtime stage copies.
  execFileSync("sh", ["-c", build.runs.at(-1)!], { stdio: "pipe" });

  for (const copy of runtime.copies) {
    for (const source of copy.sources) {
      const from = copy.from === "build" ? source.replace(/^\/app\//, "") : source;
      const target = copy.target.endsWith("/") || copy.sources.length > 1 ? join(app, copy.target, source) : join(app, copy.target);
      cpSync(from, target, { recursive: true });
    }
  }
  for (const command of runtime.runs) {
    execFileSync("sh", ["-c", command], { cwd: app, stdio: "pipe", env: { ...process.env, ...runtime.env } });
  }
  // The runtime user may read everything and write nothing, as on a read-only root filesystem.
  execFileSync("chown", ["-R", "0:0", root]);
  execFileSync("chmod", ["-R", "go-w,a+rX", root]);
  chmodSync(writable, 0o1777);
}, 300_000);
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(writable, { recursive: true, force: true });
});

describe("origin container image", () => {
  it("image declares the runtime contract", () => {
    expect(runtime.user).toBe("1000:1000");
    expect(runtime.expose).toBe("8000 9464");
    expect(runtime.env.METRICS_PORT).toBe("9464");
    expect(runtime.env.NODE_ENV).toBe("production");
    expect(runtime.env.PORT).toBe("8000");
    expect(runtime.env.ONNXRUNTIME_NODE_INSTALL).toBe("skip");
    expect(runtime.env.PGLITE_DATA_DIR?.startsWith("/tmp/")).toBe(true);
    expect(runtime.healthcheck).toContain("/health");
    expect(runtime.runs.join(" ")).toContain("npm ci --omit=dev");
  });

  it("image holds production dependencies only", () => {
    const modules = readdirSync(join(app, "node_modules"));
    expect(modules).toContain("onnxruntime-node");
    expect(modules).toContain("pg");
    for (const dev of ["vitest", "wrangler", "typescript", "onnxruntime-web", "vega-datasets"]) {
      expect(modules, dev).not.toContain(dev);
    }
    expect(statSync(join(app, "dist", "origin", "main.mjs")).isFile()).toBe(true);
  });

  it("image command serves predictions as uid 1000", async () => {
    const port = await freePort();
    const metricsPort = await freePort();
    // The image listens on 0.0.0.0; here it stays on loopback. METRICS_PORT is set as the manifests set it.
    const env = {
      PATH: process.env.PATH!,
      ...runtime.env,
      HOST: "127.0.0.1",
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      PGLITE_DATA_DIR: join(writable, "pglite"),
      MODELS_DIR: join(app, "models"),
      HOME: writable,
    };
    const [command, ...args] = runtime.cmd!;
    const child = spawn(command === "node" ? process.execPath : command!, args, { cwd: app, env, uid: 1000, gid: 1000, stdio: "pipe" });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));

    try {
      const url = `http://127.0.0.1:${port}`;
      let ready: Response | undefined;
      for (let i = 0; i < 150 && !ready?.ok; i++) {
        ready = await fetch(`${url}/ready`).catch(() => undefined);
        if (!ready?.ok) await new Promise((r) => setTimeout(r, 200));
      }
      expect(ready?.status, output).toBe(200);

      const response = await fetch(`${url}/predict`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ origin: "ORD", destination: "LGA", departure: "2026-12-24T18:30" }),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { delay_probability: number; model: { name: string } };
      expect(body.model.name).toBe("full");
      expect(body.delay_probability).toBeGreaterThan(0);
      expect(output).not.toContain("EACCES");

      // The metrics live on their own port only, so a load balancer in front of PORT never serves them.
      expect((await fetch(`${url}/metrics`)).status).toBe(404);
      const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toMatch(/^http_requests_total\{method="POST",endpoint="\/predict",status="200"\} 1$/m);
    } finally {
      child.kill("SIGTERM");
    }
    const code = child.exitCode ?? (await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c))));
    expect(code, output).toBe(0);
  });
});
