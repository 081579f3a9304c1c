// Entry point of the origin service: load models and state, serve HTTP, and drain on SIGTERM.

import { serve, type ServerType } from "@hono/node-server";
import { createApp } from "./app";
import { loadConfig } from "./config";
import { createLogger } from "./logger";
import { createMetrics } from "./metrics";
import { loadModels } from "./models";
import type { OriginServices } from "./services";
import { openCache } from "./state/cache";
import { openDatabase } from "./state/database";
import { PredictionLogBuffer } from "./state/log-buffer";

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, config.environment);
  const metrics = createMetrics();

  const models = await loadModels(config.modelsDir);
  logger.info({ full: models.full.version, edge: models.edge.version }, "models loaded");
  const database = await openDatabase(config, logger);
  const cache = openCache(config.redisUrl, logger);
  const log = new PredictionLogBuffer(database, logger, {
    maxRows: config.logBufferMaxRows,
    onDropped: (count) => metrics.logRowsDropped.inc(count),
  });
  const services: OriginServices = { config, logger, metrics, models, cache, database, log };

  const app = createApp(services);
  const server = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, (info) =>
    logger.info({ host: config.host, port: info.port, database: database.kind, cache: cache.kind }, "origin listening"),
  );
  installShutdown(server, services);
}

/**
 * On SIGTERM or SIGINT: stop accepting connections, let in-flight requests finish (bounded by
 * SHUTDOWN_GRACE_MS), write buffered log rows, then close the pools.
 */
function installShutdown(server: ServerType, services: OriginServices): void {
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

    await new Promise<void>((resolve) => server.close(() => resolve()));
    await services.log.stop();
    await Promise.allSettled([services.database.close(), services.cache.close()]);
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
