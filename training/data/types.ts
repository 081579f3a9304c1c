/**
 * One flight as read from a source file, before features are computed.
 * Times are naive local wall-clock times at the origin airport, as minutes since 1970-01-01T00:00 of that wall clock.
 */
export interface FlightRecord {
  origin: string;
  destination: string;
  /** Scheduled departure, local wall-clock minutes since the epoch (see above). */
  scheduledMinute: number;
  /** Actual departure when the source has it (vega's `date`), otherwise equal to scheduledMinute. */
  actualMinute: number;
  distanceMiles: number;
  /** Arrival delay in minutes; negative means early. */
  arrivalDelayMinutes: number;
}

/** Reason a source row was not turned into a FlightRecord. */
export type RejectReason =
  | "missing_field"
  | "invalid_airport"
  | "invalid_time"
  | "invalid_distance"
  | "invalid_delay"
  | "cancelled"
  | "diverted"
  | "same_airport";

/** Counts of rows read and rejected, reported by the pipeline so that no row disappears silently. */
export interface ReadReport {
  source: string;
  rowsRead: number;
  rowsAccepted: number;
  rejected: Partial<Record<RejectReason, number>>;
  /** SHA-256 of every input file, keyed by file name. */
  sha256: Record<string, string>;
}

/** Receives each accepted record in file order. */
export type RecordSink = (record: FlightRecord) => void;
