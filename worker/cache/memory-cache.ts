// Per-isolate memory of recent edge-model answers. The edge model is deterministic for a model
// version, so an answer stays right for the life of the isolate and needs no expiry; the bound only
// caps memory. A hit skips onnxruntime's fixed cost per call, which is larger than the model's own
// time for one row.

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
