// Checks and helpers shared by the flight readers, so both sources reject the same rows for the same reasons.

import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import type { RejectReason } from "./types";

const AIRPORT_CODE = /^[A-Z0-9]{3}$/;

/**
 * Returns the first problem of a flight's airports, distance and delay, or undefined when they are valid.
 * Order: invalid_airport, same_airport, invalid_distance, invalid_delay.
 */
export function checkFlightFields(
  origin: unknown,
  destination: unknown,
  distanceMiles: number,
  arrivalDelayMinutes: number,
): RejectReason | undefined {
  if (typeof origin !== "string" || !AIRPORT_CODE.test(origin)) return "invalid_airport";
  if (typeof destination !== "string" || !AIRPORT_CODE.test(destination)) return "invalid_airport";
  if (origin === destination) return "same_airport";
  if (!Number.isFinite(distanceMiles) || distanceMiles <= 0) return "invalid_distance";
  if (!Number.isFinite(arrivalDelayMinutes)) return "invalid_delay";
  return undefined;
}

/** Computes the SHA-256 of a file as lowercase hex, streaming so the file is never held in memory. */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
  }
  return hash.digest("hex");
}
