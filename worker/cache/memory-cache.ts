// Per-isolate memory of recent edge-model predictions. The edge model is deterministic for a model
// version, so a stored probability stays right for the life of the isolate and needs no expiry. The
// bound only caps memory. A hit skips the feature lookup and the session call: in `npm run bench:edge`
// a repeated flight's p50 was 0.13 ms below a new flight's.

import { LRUCache } from "lru-cache";

/** About 2 MB at the key length of a prediction cache key; an isolate has 128 MB. */
const MAX_ENTRIES = 10_000;

const answers = new LRUCache<string, number>({ max: MAX_ENTRIES });

export function rememberedProbability(key: string): number | undefined {
  return answers.get(key);
}

export function rememberProbability(key: string, probability: number): void {
  answers.set(key, probability);
}
