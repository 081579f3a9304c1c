// Invariants between the model versions that the servers load.

import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/** The edge version that the Worker bundles, from the import in models/edge/current.ts. */
function bundledEdgeVersion(): string {
  const match = /from "\.\/(\d+)\/model\.onnx"/.exec(readFileSync("models/edge/current.ts", "utf8"));
  if (!match) throw new Error("models/edge/current.ts does not import a numbered model.onnx");
  return match[1]!;
}

/** Returns the newest numbered folder under models/<name>/, which the origin serves by default. */
function newestVersion(name: string): string {
  const numbers = readdirSync(`models/${name}`).filter((entry) => /^\d+$/.test(entry)).map(Number);
  return String(Math.max(...numbers));
}

function airports(name: string, version: string): string[] {
  const tables = JSON.parse(readFileSync(`models/${name}/${version}/tables.json`, "utf8")) as { airports: Record<string, unknown> };
  return Object.keys(tables.airports).sort();
}

describe("model repository", () => {
  it("served models share airports", () => {
    // The Worker validates full-model requests with the edge model's tables before forwarding them.
    const edge = airports("edge", bundledEdgeVersion());
    const full = airports("full", newestVersion("full"));
    expect(edge.length).toBeGreaterThan(100);
    expect(full).toEqual(edge);
  });
});
