// The prediction log's database: PostgreSQL through node-postgres when DATABASE_URL is set, and
// the embedded PGlite (PostgreSQL compiled to wasm, in a local folder) otherwise. Both get the
// drizzle-kit migrations of migrations/pg at start.

import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { count, eq, sql } from "drizzle-orm";
import { drizzle as drizzlePg, type NodePgDatabase } from "drizzle-orm/node-postgres";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import { drizzle as drizzlePglite, type PgliteDatabase } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import pg from "pg";
import type { Logger } from "../logger";
import { type PredictionRow, predictions } from "./schema";

export const MIGRATIONS_FOLDER = resolve("migrations/pg");

export interface PredictionDatabase {
  kind: "postgres" | "pglite";
  insertRows(rows: PredictionRow[]): Promise<void>;
  /** Resolves when the database returns the result of a trivial query. */
  ping(): Promise<void>;
  /** Number of logged rows of one request (tests and operators use it to check what was stored). */
  countRows(requestId: string): Promise<number>;
  close(): Promise<void>;
}

export async function openDatabase(
  options: { databaseUrl?: string; pgliteDataDir: string },
  logger: Logger,
): Promise<PredictionDatabase> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, logger) : openPglite(options.pgliteDataDir, logger);
}

async function openPostgres(url: string, logger: Logger): Promise<PredictionDatabase> {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 2_000,
    idleTimeoutMillis: 30_000,
    // Fail a query on a dead connection quickly rather than hang the flush loop.
    query_timeout: 10_000,
  });
  // An idle client losing its connection emits 'error' on the pool; without a listener Node exits.
  pool.on("error", (error) => logger.warn({ err: error }, "postgres idle client error"));

  const db: NodePgDatabase = drizzlePg(pool);
  await migrateUnderLock(pool, db);
  logger.info({ database: "postgres" }, "database migrations applied");

  return {
    kind: "postgres",
    insertRows: async (rows) => {
      await db.execute(bulkInsert(rows));
    },
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    countRows: (requestId) => countRows(db, requestId),
    close: () => pool.end(),
  };
}

/** Arbitrary key of the advisory lock that serialises migrations across replicas starting together. */
const MIGRATION_LOCK_KEY = 727_274_001;

async function migrateUnderLock(pool: pg.Pool, db: NodePgDatabase): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    await migratePg(db, { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => undefined);
    client.release();
  }
}

async function openPglite(dataDir: string, logger: Logger): Promise<PredictionDatabase> {
  await mkdir(dataDir, { recursive: true });
  const client = new PGlite(dataDir);
  const db: PgliteDatabase = drizzlePglite(client);
  await migratePglite(db, { migrationsFolder: MIGRATIONS_FOLDER });
  logger.info({ database: "pglite", dataDir }, "database migrations applied");

  return {
    kind: "pglite",
    insertRows: async (rows) => {
      await db.execute(bulkInsert(rows));
    },
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    countRows: (requestId) => countRows(db, requestId),
    close: () => client.close(),
  };
}

async function countRows(db: NodePgDatabase | PgliteDatabase, requestId: string): Promise<number> {
  const [result] = await db.select({ rows: count() }).from(predictions).where(eq(predictions.requestId, requestId));
  return result?.rows ?? 0;
}

/**
 * Builds one INSERT of many rows with one array parameter per column (`unnest`). drizzle's
 * `insert().values(rows)` builds a parameter per cell, which cost more CPU than scoring the rows.
 */
function bulkInsert(rows: PredictionRow[]) {
  // sql.param binds the whole array as one parameter; a bare array would expand into a list.
  const column = <T>(pick: (row: PredictionRow) => T) => sql.param(rows.map(pick));
  return sql`insert into ${predictions} (request_id, batch_row, created_at, model_name, model_version, origin,
      destination, departure, distance_miles, reference, probability, is_delayed, served_by, cache_hit, latency_ms)
    select * from unnest(
      ${column((r) => r.requestId)}::text[], ${column((r) => r.batchRow ?? null)}::int[],
      ${column((r) => r.createdAt.toISOString())}::timestamptz[], ${column((r) => r.modelName)}::text[],
      ${column((r) => r.modelVersion)}::text[], ${column((r) => r.origin)}::text[],
      ${column((r) => r.destination)}::text[], ${column((r) => r.departure)}::text[],
      ${column((r) => r.distanceMiles)}::int[], ${column((r) => r.reference ?? null)}::text[],
      ${column((r) => r.probability)}::float8[], ${column((r) => r.isDelayed)}::bool[],
      ${column((r) => r.servedBy)}::text[], ${column((r) => r.cacheHit)}::bool[],
      ${column((r) => r.latencyMs)}::float8[])`;
}
