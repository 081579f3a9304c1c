// The prediction log's database: PostgreSQL through node-postgres when DATABASE_URL is set, and
// the embedded PGlite (PostgreSQL compiled to wasm, in a local folder) otherwise. Both get the
// drizzle-kit migrations of migrations/pg at start.

import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import { drizzle as drizzlePg, type NodePgDatabase } from "drizzle-orm/node-postgres";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import { drizzle as drizzlePglite, type PgliteDatabase } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import pg from "pg";
import type { Logger } from "../logger";
import { type PredictionRow, predictions } from "./schema";
import { count, eq } from "drizzle-orm";

export const MIGRATIONS_FOLDER = resolve("migrations/pg");

export interface PredictionDatabase {
  kind: "postgres" | "pglite";
  insertRows(rows: PredictionRow[]): Promise<void>;
  /** Resolves when the database answers a trivial query. */
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
      await db.insert(predictions).values(rows);
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
      await db.insert(predictions).values(rows);
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
