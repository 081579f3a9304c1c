// Dynamic batching of single predictions: rows that arrive in the same turn of the event loop are
// scored by one session.run. A tree ensemble costs several times more per row when called one row at
// a time, because its nodes leave the CPU cache between calls.

import { FEATURE_COUNT } from "../core/features";
import type { OriginMetrics } from "./metrics";
import { scoreRows, type LoadedModel } from "./models";

/** Maximum rows per session.run; more would delay the first caller for little gain. */
const MAX_ROWS = 256;

interface Pending {
  resolve: (probability: number) => void;
  reject: (error: unknown) => void;
}

export class MicroBatcher {
  private readonly features = new Float32Array(MAX_ROWS * FEATURE_COUNT);
  private pending: Pending[] = [];
  private scheduled = false;

  constructor(
    private readonly model: LoadedModel,
    private readonly metrics: OriginMetrics,
  ) {}

  /** Scores one feature row; resolves with P(delayed) once its batch has run. */
  score(row: Float32Array): Promise<number> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === MAX_ROWS) this.flush();
      this.features.set(row, this.pending.length * FEATURE_COUNT);
      this.pending.push({ resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    // session.run reads the input asynchronously, so each batch gets its own copy of the rows.
    const features = this.features.slice(0, batch.length * FEATURE_COUNT);

    const timer = this.metrics.inferenceDuration.startTimer({ model_type: this.model.type });
    scoreRows(this.model, features, batch.length).then(
      (probabilities) => {
        timer();
        batch.forEach((p, i) => p.resolve(probabilities[i]!));
      },
      (error: unknown) => batch.forEach((p) => p.reject(error)),
    );
  }
}
