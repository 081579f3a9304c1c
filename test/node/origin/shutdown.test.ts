// SIGTERM on a real origin process: in-flight work finishes, buffered log rows are written, and the
// process exits 0.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { freePort } from "../ports";

const dataDir = mkdtempSync(join(tmpdir(), "origin-shutdown-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it("origin drains in-flight work on SIGTERM", async () => {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "origin/main.ts"], {
    env: { ...process.env, PORT: String(port), PGLITE_DATA_DIR: dataDir, LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));

  try {
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 300; i++) {
      const up = await fetch(`${url}/health`).then((r) => r.ok, () => false);
      if (up) break;
      await new Promise((r) => setTimeout(r, 200));
    }

    const rows = 20_000;
    const body = Array.from({ length: rows }, (_, i) =>
      JSON.stringify({ origin: "ORD", destination: "LGA", departure: `2026-12-24T${String(6 + (i % 12)).padStart(2, "0")}:00` }),
    ).join("\n");
    const response = await fetch(`${url}/predict/batch`, {
      method: "POST",
      headers: { "content-type": "application/x-ndjson", "x-request-id": "shutdown-batch" },
      body,
    });
    const reader = response.body!.getReader();
    const first = await reader.read();
    child.kill("SIGTERM");

    let text = new TextDecoder().decode(first.value);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text.trim().split("\n")).toHaveLength(rows);
    expect(await exited).toBe(0);
    expect(output).toContain("shutting down");
    expect(output).toContain("shutdown complete");
    expect(output).not.toContain("prediction log rows not written at shutdown");
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
});
