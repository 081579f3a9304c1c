// Prediction cache: Redis through ioredis when REDIS_URL is set, an in-process LRU otherwise.
// Keys are the edge's (core/prediction.ts). A Redis error never fails a prediction: the read is a
// miss, the write is skipped, and both are logged (at most once per outage).

import { Redis } from "ioredis";
import { LRUCache } from "lru-cache";
import type { Logger } from "../logger";

export interface PredictionCache {
  kind: "redis" | "memory";
  get(key: string): Promise<number | undefined>;
  set(key: string, probability: number, ttlSeconds: number): Promise<void>;
  isHealthy(): boolean;
  close(): Promise<void>;
}

/** Entries kept by the in-process cache; about 100 bytes each. */
const MEMORY_CACHE_ENTRIES = 100_000;
/** A Redis command slower than this counts as failed, so an overloaded Redis cannot slow predictions. */
const REDIS_COMMAND_TIMEOUT_MS = 100;

export function openCache(redisUrl: string | undefined, logger: Logger): PredictionCache {
  return redisUrl ? new RedisPredictionCache(redisUrl, logger) : new MemoryPredictionCache();
}

class MemoryPredictionCache implements PredictionCache {
  readonly kind = "memory";
  private readonly lru = new LRUCache<string, number>({ max: MEMORY_CACHE_ENTRIES });

  async get(key: string): Promise<number | undefined> {
    return this.lru.get(key);
  }

  async set(key: string, probability: number, ttlSeconds: number): Promise<void> {
    this.lru.set(key, probability, { ttl: ttlSeconds * 1000 });
  }

  isHealthy(): boolean {
    return true;
  }

  async close(): Promise<void> {}
}

class RedisPredictionCache implements PredictionCache {
  readonly kind = "redis";
  private readonly redis: Redis;
  private failing = false;

  constructor(url: string, private readonly logger: Logger) {
    this.redis = new Redis(url, {
      // Commands fail at once while disconnected instead of queueing behind a reconnect.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
      connectTimeout: 2_000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    });
    this.redis.on("error", (error) => this.noteFailure(error));
    this.redis.on("ready", () => this.noteSuccess());
  }

  async get(key: string): Promise<number | undefined> {
    try {
      const value = await this.redis.get(key);
      this.noteSuccess();
      const probability = value === null ? Number.NaN : Number(value);
      return probability >= 0 && probability <= 1 ? probability : undefined;
    } catch (error) {
      this.noteFailure(error);
      return undefined;
    }
  }

  async set(key: string, probability: number, ttlSeconds: number): Promise<void> {
    try {
      await this.redis.set(key, String(probability), "EX", ttlSeconds);
      this.noteSuccess();
    } catch (error) {
      this.noteFailure(error);
    }
  }

  isHealthy(): boolean {
    return !this.failing && this.redis.status === "ready";
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }

  /** Marks the cache healthy: a command that succeeds ends an outage, even one that was only a slow command. */
  private noteSuccess(): void {
    if (this.failing) this.logger.info("redis reachable again");
    this.failing = false;
  }

  private noteFailure(error: unknown): void {
    if (!this.failing) this.logger.warn({ err: error }, "redis unavailable; predictions continue without the cache");
    this.failing = true;
  }
}
