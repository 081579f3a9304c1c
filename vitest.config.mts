import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

// Two projects: Worker tests run inside workerd; training, conversion and parity tests run in Node.
export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest(async () => ({
            wrangler: { configPath: "./wrangler.toml" },
            // The setup file applies these to the test D1 database, as `wrangler d1 migrations apply` would.
            miniflare: { bindings: { TEST_MIGRATIONS: await readD1Migrations("./migrations/d1") } },
          })),
        ],
        test: {
          name: "worker",
          include: ["test/worker/**/*.test.ts"],
          setupFiles: ["./test/worker/apply-migrations.ts"],
          // The first request of a file loads the bundle (ORT wasm, model, tables) into a new isolate.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "node",
          environment: "node",
          include: ["test/node/**/*.test.ts"],
          testTimeout: 120_000,
        },
      },
    ],
  },
});
