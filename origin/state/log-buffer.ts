// Buffers prediction log rows in memory and writes them in bulk inserts. While the database is
// unreachable the rows wait here, up to a bound; past the bound new rows are dropped and counted.

import type { Logger } from "../logger";
import type { PredictionDatabase } from "./database";
import type { PredictionRow } from "./schema";

/** Rows per INSERT: one array parameter per column, so the size is bounded by memory, not parameters. */
const INSERT_CHUNK_ROWS = 5_000;
const FLUSH_INTERVAL_MS = 200;
const MAX_RETRY_DELAY_MS = 5_000;

export interface LogBufferOptions {
  maxRows: number;
  onDropped?: (count: number) => void;
}

export class PredictionLogBuffer {
  private rows: PredictionRow[] = [];
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private retryDelayMs = FLUSH_INTERVAL_MS;
  private droppedSinceLastReport = 0;
  private healthy = true;
  private stopped = false;
  private readonly roomWaiters: Array<() => void> = [];

  constructor(
    private readonly db: PredictionDatabase,
    private readonly logger: Logger,
    private readonly options: LogBufferOptions,
  ) {
    this.schedule(FLUSH_INTERVAL_MS);
  }

  /** Returns whether the last write succeeded; /ready reports the database as degraded otherwise. */
  isHealthy(): boolean {
    return this.healthy;
  }

  pending(): number {
    return this.rows.length;
  }

  /** Queues rows without waiting; rows beyond the bound are dropped and counted. */
  add(rows: PredictionRow[]): void {
    const room = this.options.maxRows - this.rows.length;
    const accepted = rows.length <= room ? rows : rows.slice(0, Math.max(0, room));
    for (const row of accepted) this.rows.push(row);
    const dropped = rows.length - accepted.length;
    if (dropped > 0) this.recordDrop(dropped);
  }

  /**
   * Resolves when the buffer has room for `rows` more rows, or at once while the database is down,
   * because a batch must not stall on an outage (its rows then count against the bound).
   * Batches call this so that a slow database slows scoring instead of dropping rows.
   */
  async waitForRoom(rows: number): Promise<void> {
    while (this.healthy && !this.stopped && this.rows.length + rows > this.options.maxRows) {
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    }
  }

  /** Writes every buffered row now; used on shutdown. Resolves even if the database fails. */
  async flush(): Promise<void> {
    await this.flushing;
    this.flushing = this.writeAll();
    await this.flushing;
    this.flushing = undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.flush();
    this.wakeWaiters();
    if (this.rows.length > 0) {
      this.logger.error({ rows: this.rows.length }, "prediction log rows not written at shutdown");
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.flushing ??= this.writeAll().finally(() => {
        this.flushing = undefined;
        this.schedule(this.healthy ? FLUSH_INTERVAL_MS : this.retryDelayMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  private async writeAll(): Promise<void> {
    while (this.rows.length > 0) {
      const chunk = this.rows.slice(0, INSERT_CHUNK_ROWS);
      try {
        await this.db.insertRows(chunk);
      } catch (error) {
        this.markUnhealthy(error);
        return;
      }
      this.rows.splice(0, chunk.length);
      this.markHealthy();
      this.wakeWaiters();
    }
  }

  private markUnhealthy(error: unknown): void {
    if (this.healthy) {
      this.logger.error({ err: error, pending: this.rows.length }, "prediction log write failed; buffering rows");
    }
    this.healthy = false;
    this.retryDelayMs = Math.min(MAX_RETRY_DELAY_MS, this.retryDelayMs * 2);
    this.wakeWaiters();
  }

  private markHealthy(): void {
    if (!this.healthy) {
      this.logger.info({ pending: this.rows.length }, "prediction log database reachable again; flushing");
      this.healthy = true;
      this.retryDelayMs = FLUSH_INTERVAL_MS;
    }
    if (this.droppedSinceLastReport > 0) this.reportDrops();
  }

  private recordDrop(count: number): void {
    this.options.onDropped?.(count);
    const first = this.droppedSinceLastReport === 0;
    this.droppedSinceLastReport += count;
    // One line when dropping starts and one per 10,000 rows after, so an outage cannot flood the log.
    if (first || this.droppedSinceLastReport % 10_000 < count) this.reportDrops();
  }

  private reportDrops(): void {
    this.logger.error(
      { dropped: this.droppedSinceLastReport, bound: this.options.maxRows },
      "prediction log buffer full; rows dropped",
    );
    if (this.healthy) this.droppedSinceLastReport = 0;
  }

  private wakeWaiters(): void {
    for (const resolve of this.roomWaiters.splice(0)) resolve();
  }
}
