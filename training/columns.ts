// Columnar storage for millions of flights: typed arrays keep the full data set in a few hundred MB,
// where one object per flight would need several GB.

import type { FlightRecord } from "./data/types";

/** Flights stored column by column; airports are indexes into `airportCodes`. */
export interface FlightColumns {
  length: number;
  airportCodes: string[];
  origin: Uint16Array;
  destination: Uint16Array;
  scheduledMinute: Int32Array;
  actualMinute: Int32Array;
  distanceMiles: Float32Array;
  arrivalDelayMinutes: Float32Array;
}

/** Appends FlightRecords into growing typed arrays. */
export class FlightColumnsBuilder {
  private length = 0;
  private capacity: number;
  private readonly airportIndex = new Map<string, number>();
  private readonly airportCodes: string[] = [];
  private origin: Uint16Array;
  private destination: Uint16Array;
  private scheduledMinute: Int32Array;
  private actualMinute: Int32Array;
  private distanceMiles: Float32Array;
  private arrivalDelayMinutes: Float32Array;

  constructor(initialCapacity = 1 << 16) {
    this.capacity = initialCapacity;
    this.origin = new Uint16Array(initialCapacity);
    this.destination = new Uint16Array(initialCapacity);
    this.scheduledMinute = new Int32Array(initialCapacity);
    this.actualMinute = new Int32Array(initialCapacity);
    this.distanceMiles = new Float32Array(initialCapacity);
    this.arrivalDelayMinutes = new Float32Array(initialCapacity);
  }

  add(record: FlightRecord): void {
    if (this.length === this.capacity) this.grow();
    const i = this.length++;
    this.origin[i] = this.indexOf(record.origin);
    this.destination[i] = this.indexOf(record.destination);
    this.scheduledMinute[i] = record.scheduledMinute;
    this.actualMinute[i] = record.actualMinute;
    this.distanceMiles[i] = record.distanceMiles;
    this.arrivalDelayMinutes[i] = record.arrivalDelayMinutes;
  }

  build(): FlightColumns {
    const n = this.length;
    return {
      length: n,
      airportCodes: [...this.airportCodes],
      origin: this.origin.slice(0, n),
      destination: this.destination.slice(0, n),
      scheduledMinute: this.scheduledMinute.slice(0, n),
      actualMinute: this.actualMinute.slice(0, n),
      distanceMiles: this.distanceMiles.slice(0, n),
      arrivalDelayMinutes: this.arrivalDelayMinutes.slice(0, n),
    };
  }

  private indexOf(code: string): number {
    let index = this.airportIndex.get(code);
    if (index === undefined) {
      index = this.airportCodes.length;
      if (index > 0xffff) throw new Error("more than 65,536 distinct airports");
      this.airportIndex.set(code, index);
      this.airportCodes.push(code);
    }
    return index;
  }

  private grow(): void {
    this.capacity *= 2;
    const grow = <T extends Uint16Array | Int32Array | Float32Array>(a: T, make: (n: number) => T): T => {
      const next = make(this.capacity);
      next.set(a);
      return next;
    };
    this.origin = grow(this.origin, (n) => new Uint16Array(n));
    this.destination = grow(this.destination, (n) => new Uint16Array(n));
    this.scheduledMinute = grow(this.scheduledMinute, (n) => new Int32Array(n));
    this.actualMinute = grow(this.actualMinute, (n) => new Int32Array(n));
    this.distanceMiles = grow(this.distanceMiles, (n) => new Float32Array(n));
    this.arrivalDelayMinutes = grow(this.arrivalDelayMinutes, (n) => new Float32Array(n));
  }
}
