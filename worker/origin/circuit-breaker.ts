// A per-isolate circuit breaker for calls to the origin. After `threshold` consecutive failures the
// circuit opens and calls fail at once for `openMs`. Then one trial call is let through (half-open),
// and its result closes or reopens the circuit. Each isolate keeps its own state.

export interface BreakerOptions {
  threshold: number;
  openMs: number;
}

export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | undefined;
  private trialInFlight = false;

  constructor(
    private readonly options: BreakerOptions,
    private readonly now: () => number = Date.now,
  ) {}

  state(): "closed" | "open" | "half-open" {
    if (this.openedAt === undefined) return "closed";
    return this.now() - this.openedAt >= this.options.openMs ? "half-open" : "open";
  }

  /** Returns whether a call may go out now; in half-open state only one trial call at a time. */
  allow(): boolean {
    const state = this.state();
    if (state === "closed") return true;
    if (state === "open" || this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  /** Seconds until the next call may go out, for Retry-After. */
  retryAfterSeconds(): number {
    if (this.openedAt === undefined) return 1;
    return Math.max(1, Math.ceil((this.openedAt + this.options.openMs - this.now()) / 1000));
  }

  recordSuccess(): void {
    this.failures = 0;
    this.openedAt = undefined;
    this.trialInFlight = false;
  }

  recordFailure(): void {
    this.trialInFlight = false;
    this.failures++;
    if (this.state() === "half-open" || this.failures >= this.options.threshold) this.openedAt = this.now();
  }
}
