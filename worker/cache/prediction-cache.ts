// KV cache of predictions. The key contains the model name and version with the canonical flight, so a
// new model version never serves an old prediction. KV failures are logged and treated as a miss.

import { errorText, logEvent } from "../log";

/** KV's minimum expirationTtl is 60 seconds. */
export const MIN_CACHE_TTL_SECONDS = 60;

export interface CachedPrediction {
  probability: number;
}

/** Reads a cached prediction; a KV error or an unreadable value counts as a miss. */
export async function readCachedPrediction(
  kv: KVNamespace,
  key: string,
  requestId: string,
): Promise<CachedPrediction | undefined> {
  try {
    const value = await kv.get<CachedPrediction>(key, "json");
    if (value && typeof value.probability === "number" && value.probability >= 0 && value.probability <= 1) {
      return value;
    }
    return undefined;
  } catch (error) {
    logEvent("warn", "cache_read_failed", { request_id: requestId, error: errorText(error) });
    return undefined;
  }
}

/** Stores a prediction with a TTL; never rejects, so it is safe to hand to waitUntil. */
export async function writeCachedPrediction(
  kv: KVNamespace,
  key: string,
  value: CachedPrediction,
  ttlSeconds: number,
  requestId: string,
): Promise<boolean> {
  try {
    await kv.put(key, JSON.stringify(value), { expirationTtl: Math.max(MIN_CACHE_TTL_SECONDS, ttlSeconds) });
    return true;
  } catch (error) {
    logEvent("warn", "cache_write_failed", { request_id: requestId, error: errorText(error) });
    return false;
  }
}
