// Entry point of the origin service: load models and state, serve HTTP, and drain on SIGTERM.

import { serve, type ServerType } from "@hono/node-server";
import { createApp, createMetricsApp } from "./app";
import { closeServices, createServices } from "./bootstrap";
import { loadConfig } from "./config";
import type { OriginServices } from "./services";

async function main(): Promise<void> {
  const config = loadConfig();
  const services = await createServices(config);

  const app = createApp(services);
  const server = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, (info) =>
    services.logger.info(
      { host: config.host, port: info.port, database: services.database.kind, cache: services.cache.kind },
      "origin listening",
    ),
  );
  const servers = [server];

  if (config.metricsPort !== undefined) {
    const metricsApp = createMetricsApp(services);
    const metricsServer = serve({ fetch: metricsApp.fetch, hostname: config.host, port: config.metricsPort }, (info) =>
      services.logger.info({ host: config.host, port: info.port }, "metrics listening"),
    );
    servers.push(metricsServer);
  }
  installShutdown(servers, services);
}

/**
 * On SIGTERM or SIGINT: stop accepting connections, let in-flight requests finish (bounded by
 * SHUTDOWN_GRACE_MS), write buffered log rows, then close the pools.
 */
function installShutdown(servers: ServerType[], services: OriginServices): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    services.logger.info({ signal }, "shutting down");
    const forced = setTimeout(() => {
      services.logger.error({ grace_ms: services.config.shutdownGraceMs }, "in-flight requests did not finish in time");
      process.exit(1);
    }, services.config.shutdownGraceMs);
    forced.unref();

    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    await closeServices(services);
    services.logger.info("shutdown complete");
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((error: unknown) => {
  process.stderr.write(`origin failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
