// Local wall-clock arithmetic. Flights are scheduled in the origin airport's local time, so the model
// uses naive local times: minutes since 1970-01-01T00:00 on that airport's clock, with no offset.

export const MINUTES_PER_DAY = 1440;

/** A scheduled departure on the origin airport's wall clock. */
export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

/** Converts a local wall-clock time to minutes since 1970-01-01T00:00 of the same clock. */
export function toLocalMinute(t: LocalDateTime): number {
  return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute) / 60_000;
}

/** Converts minutes since the local epoch back to calendar fields. */
export function fromLocalMinute(localMinute: number): LocalDateTime {
  const d = new Date(localMinute * 60_000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
  };
}

/** Returns the day of the week, 0 = Monday … 6 = Sunday. 1970-01-01 was a Thursday (3). */
export function dayOfWeek(localMinute: number): number {
  const days = Math.floor(localMinute / MINUTES_PER_DAY);
  return (((days + 3) % 7) + 7) % 7;
}

/** Returns the minute of the day, 0 … 1439. */
export function minuteOfDay(localMinute: number): number {
  return ((localMinute % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
}

/** Formats as `YYYY-MM-DDTHH:MM`, the canonical departure string. */
export function formatLocal(t: LocalDateTime): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  return `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}T${pad(t.hour)}:${pad(t.minute)}`;
}
