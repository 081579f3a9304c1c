// Command-line options shared by the edge benchmark and the replay: the local server that runs the
// Worker (--server) and positive integer options.

import { startBundledWorker } from "./bundled-worker";
import { startLocalWorker } from "./local-worker";

export type ServerKind = "bundle" | "wrangler-dev";

export const SERVERS: Record<ServerKind, { start: typeof startLocalWorker; description: string }> = {
  bundle: { start: startBundledWorker, description: "the `wrangler deploy --dry-run` bundle in one workerd process (Miniflare)" },
  "wrangler-dev": { start: startLocalWorker, description: "`wrangler dev --local` (a proxy workerd process in front of the Worker's)" },
};

/** Returns the --server lines of a script's usage text, with descriptions starting at column `column`. */
export function serverUsage(column: number): string {
  const pad = " ".repeat(column);
  return [
    `${"  --server KIND".padEnd(column)}"bundle" (default): the bundle of \`wrangler deploy --dry-run\` in one`,
    `${pad}workerd process, as production runs it; "wrangler-dev": \`wrangler dev --local\`,`,
    `${pad}whose proxy process adds a loopback HTTP hop to every request`,
  ].join("\n");
}

export function parseServer(text: string): ServerKind {
  if (text in SERVERS) return text as ServerKind;
  throw new Error(`--server must be one of ${Object.keys(SERVERS).join(", ")}, got "${text}"`);
}

/** Parses a command-line option that must be a positive integer, naming the option when it is not. */
export function parsePositiveInteger(text: string, option: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new Error(`${option} must be a positive integer, got "${text}"`);
  }
  return value;
}
