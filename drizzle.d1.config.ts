import { defineConfig } from "drizzle-kit";

// `npx drizzle-kit generate --config drizzle.d1.config.ts` writes the D1 SQL migrations that wrangler applies.
export default defineConfig({
  dialect: "sqlite",
  schema: "./worker/db/schema.ts",
  out: "./migrations/d1",
});
