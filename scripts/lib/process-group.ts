// Child process groups that scripts and tests start (wrangler, the origin), and the clean-up that
// kills them and deletes their temporary folders if the parent exits early.

import type { Readable } from "node:stream";
import type { ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";

/** Temporary folder of each running group, by process group id. */
const runningGroups = new Map<number, string>();

/** Sends `signal` to every process of the group; a group with no members left is not an error. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

export function groupIsAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Registers a started group, so that exit, SIGINT and SIGTERM kill it and delete `folder`. */
export function trackGroup(pid: number, folder: string): void {
  if (runningGroups.size === 0) {
    process.on("exit", killRunningGroups);
    process.on("SIGINT", onTerminatingSignal);
    process.on("SIGTERM", onTerminatingSignal);
  }
  runningGroups.set(pid, folder);
}

export function untrackGroup(pid: number): void {
  runningGroups.delete(pid);
  if (runningGroups.size === 0) {
    process.off("exit", killRunningGroups);
    process.off("SIGINT", onTerminatingSignal);
    process.off("SIGTERM", onTerminatingSignal);
  }
}

// NOTE: these handlers cannot run when the parent is killed with SIGKILL. The child group then keeps
// running and has to be stopped by its process group id.
function killRunningGroups(): void {
  for (const [pid, folder] of runningGroups) {
    signalGroup(pid, "SIGKILL");
    try {
      rmSync(folder, { recursive: true, force: true, maxRetries: 3 });
    } catch (error) {
      // The process is exiting anyway, so a leftover folder in the temp directory is only reported.
      process.stderr.write(`could not delete ${folder}: ${(error as Error).message}\n`);
    }
  }
  runningGroups.clear();
}

function onTerminatingSignal(signal: NodeJS.Signals): void {
  killRunningGroups();
  process.exit(signal === "SIGINT" ? 130 : 143);
}

/** Calls `onLine` for every complete line the child writes to stdout or stderr. */
export function forEachOutputLine(child: ChildProcess, onLine: (line: string) => void): void {
  forEachLine([child.stdout, child.stderr], onLine);
}

/** Calls `onLine` for every complete line of text that the streams emit. */
export function forEachLine(streams: Array<Readable | null | undefined>, onLine: (line: string) => void): void {
  for (const stream of streams) {
    let pending = "";
    stream?.setEncoding("utf8");
    stream?.on("data", (chunk: string) => {
      const lines = (pending + chunk).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) onLine(line);
    });
  }
}
