// Progress and resource reporting for the training CLI: one line per step with its duration.

import { readFileSync } from "node:fs";

export interface StepTiming {
  step: string;
  seconds: number;
}

export class Progress {
  readonly timings: StepTiming[] = [];
  private readonly started = performance.now();

  constructor(private readonly write: (line: string) => void = (line) => process.stderr.write(line + "\n")) {}

  info(message: string): void {
    const elapsed = ((performance.now() - this.started) / 1000).toFixed(1).padStart(6);
    this.write(`[train ${elapsed}s] ${message}`);
  }

  /** Runs one named step, logging its start and duration. */
  async step<T>(name: string, work: () => Promise<T> | T): Promise<T> {
    this.info(`${name} …`);
    const start = performance.now();
    const result = await work();
    const seconds = (performance.now() - start) / 1000;
    this.timings.push({ step: name, seconds: Number(seconds.toFixed(2)) });
    this.info(`${name} done in ${seconds.toFixed(1)} s (rss ${mebibytes(process.memoryUsage().rss)} MiB)`);
    return result;
  }

  totalSeconds(): number {
    return (performance.now() - this.started) / 1000;
  }
}

export function mebibytes(bytes: number): number {
  return Math.round(bytes / 2 ** 20);
}

/** Peak resident memory of this Node process in MiB. */
export function peakRssMiB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/**
 * Reads a child process's peak resident memory (VmHWM) in MiB from /proc, or undefined off Linux.
 * VmHWM only grows, so the last successful read before the child exits is its peak.
 */
export function childPeakRssMiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = Number(status.match(/VmHWM:\s+(\d+)/)?.[1]);
    return Number.isFinite(kib) ? Math.round(kib / 1024) : undefined;
  } catch {
    return undefined;
  }
}
