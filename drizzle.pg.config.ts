import { defineConfig } from "drizzle-kit";

// `npx drizzle-kit generate --config drizzle.pg.config.ts` writes the PostgreSQL migrations that the
// origin applies at start (to PostgreSQL or to the embedded PGlite).
export default defineConfig({
  dialect: "postgresql",
  schema: "./origin/state/schema.ts",
  out: "./migrations/pg",
});
