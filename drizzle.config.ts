import { defineConfig } from "drizzle-kit";

// `npx drizzle-kit generate` writes SQL migrations for D1 into migrations/, which wrangler applies.
export default defineConfig({
  dialect: "sqlite",
  schema: "./worker/db/schema.ts",
  out: "./migrations",
});
