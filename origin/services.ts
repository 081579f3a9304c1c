// Services the origin's routes share: models, cache, prediction log, metrics and logger.

import type { Logger } from "./logger";
import type { OriginMetrics } from "./metrics";
import type { ModelSet } from "./models";
import type { PredictionCache } from "./state/cache";
import type { PredictionDatabase } from "./state/database";
import type { PredictionLogBuffer } from "./state/log-buffer";
import type { OriginConfig } from "./config";

export interface OriginServices {
  config: OriginConfig;
  logger: Logger;
  metrics: OriginMetrics;
  models: ModelSet;
  cache: PredictionCache;
  database: PredictionDatabase;
  log: PredictionLogBuffer;
}
