// Builds the origin's services from its configuration; main.ts and the tests share it.

import type { OriginConfig } from "./config";
import { createLogger, type Logger } from "./logger";
import { createMetrics } from "./metrics";
import { loadModels } from "./models";
import type { OriginServices } from "./services";
import { openCache } from "./state/cache";
import { openDatabase } from "./state/database";
import { PredictionLogBuffer } from "./state/log-buffer";

export async function createServices(config: OriginConfig, logger?: Logger): Promise<OriginServices> {
  const log = logger ?? createLogger(config.logLevel, config.environment);
  const metrics = createMetrics();

  const models = await loadModels(config.modelsDir);
  log.info({ full: models.full.version, edge: models.edge.version }, "models loaded");
  const database = await openDatabase(config, log);
  const cache = openCache(config.redisUrl, log);
  const buffer = new PredictionLogBuffer(database, log, {
    maxRows: config.logBufferMaxRows,
    onDropped: (count) => metrics.logRowsDropped.inc(count),
  });
  return { config, logger: log, metrics, models, cache, database, log: buffer };
}

/** Writes buffered log rows and closes the database, cache and ONNX sessions. */
export async function closeServices(services: OriginServices): Promise<void> {
  await services.log.stop();
  await Promise.allSettled([
    services.database.close(),
    services.cache.close(),
    services.models.full.session.release(),
    services.models.edge.session.release(),
  ]);
}
