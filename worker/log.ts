// Structured logs: one JSON line per event with stable keys. Workers Logs and `wrangler tail`
// index these fields. Bodies and secrets are never logged.

export type LogLevel = "info" | "warn" | "error";

export function logEvent(level: LogLevel, event: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, event, ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

/**
 * Describes an error for a log line. A wrapped error (such as drizzle's failed-query error, whose
 * message repeats the bound parameters) is described by its cause, so request data stays out of logs.
 */
export function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const root = error.cause instanceof Error ? error.cause : error;
  return `${root.name}: ${root.message}`;
}
