import { pino, type Logger } from "pino";

/** JSON logs at LOG_LEVEL, with the environment on every line. Secrets are redacted by key. */
export function createLogger(level: string, environment: string): Logger {
  return pino({
    level,
    base: { service: "flight-delay-origin", environment },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ["*.secret", "*.password", "*.authorization", "databaseUrl", "redisUrl", "sharedSecret"], censor: "[redacted]" },
  });
}

export type { Logger };
