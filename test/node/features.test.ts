import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FEATURE_COUNT, FEATURE_NAMES, UnknownAirportError, toFeatures, writeFeatures } from "../../core/features";
import { compileTables, type LookupTables } from "../../core/tables";
import { dayOfWeek, fromLocalMinute, minuteOfDay, toLocalMinute } from "../../core/time";

const tables = compileTables(JSON.parse(readFileSync("models/edge/1/tables.json", "utf8")) as LookupTables);
const column = (name: string) => FEATURE_NAMES.indexOf(name);

// Christmas Eve 2026 is a Thursday.
const localMinute = toLocalMinute({ year: 2026, month: 12, day: 24, hour: 18, minute: 30 });
const ORD_LGA = { origin: "ORD", destination: "LGA", localMinute, distanceMiles: 733 };

describe("time helpers", () => {
  it("dayOfWeek counts Monday as 0", () => {
    expect(dayOfWeek(toLocalMinute({ year: 2026, month: 12, day: 21, hour: 0, minute: 0 }))).toBe(0);
    expect(dayOfWeek(localMinute)).toBe(3);
    expect(dayOfWeek(toLocalMinute({ year: 2026, month: 12, day: 27, hour: 23, minute: 59 }))).toBe(6);
  });

  it("dayOfWeek handles dates before 1970", () => {
    // 1969-12-31 was a Wednesday.
    expect(dayOfWeek(toLocalMinute({ year: 1969, month: 12, day: 31, hour: 12, minute: 0 }))).toBe(2);
  });

  it("local minute round-trips", () => {
    expect(fromLocalMinute(localMinute)).toEqual({ year: 2026, month: 12, day: 24, hour: 18, minute: 30 });
    expect(minuteOfDay(localMinute)).toBe(18 * 60 + 30);
  });
});

describe("features", () => {
  it("features has one name per column", () => {
    expect(FEATURE_NAMES).toHaveLength(FEATURE_COUNT);
    expect(new Set(FEATURE_NAMES).size).toBe(FEATURE_COUNT);
  });

  it("features encode time and distance", () => {
    const row = toFeatures(tables, ORD_LGA);
    expect(row[column("departure_minute")]).toBe(1110);
    expect(row[column("day_of_week")]).toBe(3);
    expect(row[column("distance_miles")]).toBe(733);
  });

  it("features read the lookup tables", () => {
    const row = toFeatures(tables, ORD_LGA);
    const ord = tables.airports.get("ORD")!;
    const lga = tables.airports.get("LGA")!;
    const route = tables.routes.get("ORD-LGA")!;
    expect(row[column("origin_delay_rate")]).toBe(Math.fround(ord.delayRate));
    expect(row[column("destination_delay_rate")]).toBe(Math.fround(lga.arrivalDelayRate));
    expect(row[column("route_delay_rate")]).toBe(Math.fround(route.delayRate));
    expect(row[column("origin_hour_delay_rate")]).toBe(Math.fround(ord.hourDelayRate[18]!));
    expect(row[column("route_hour_delay_rate")]).toBe(Math.fround(route.hourDelayRate["18"] ?? route.delayRate));
    expect(row[column("origin_latitude")]).toBe(Math.fround(ord.latitude));
    expect(row[column("destination_longitude")]).toBe(Math.fround(lga.longitude));
  });

  it("features round distance to whole miles", () => {
    const row = toFeatures(tables, { ...ORD_LGA, distanceMiles: 733.6 });
    expect(row[column("distance_miles")]).toBe(734);
  });

  it("features fall back to the prior for unseen routes", () => {
    // Both airports are known but no training flight flew between them in this direction.
    const unseen = [...tables.airports.keys()]
      .flatMap((o) => [...tables.airports.keys()].map((d) => [o, d] as const))
      .find(([o, d]) => o !== d && !tables.routes.has(`${o}-${d}`))!;
    const row = toFeatures(tables, { ...ORD_LGA, origin: unseen[0], destination: unseen[1] });
    expect(row[column("route_delay_rate")]).toBe(Math.fround(tables.source.priorDelayRate));
    expect(row[column("route_flights_per_day")]).toBe(0);
  });

  it("features reject an unknown airport", () => {
    expect(() => toFeatures(tables, { ...ORD_LGA, destination: "ZZZ" })).toThrow(UnknownAirportError);
  });

  it("writeFeatures writes at an offset", () => {
    const out = new Float32Array(FEATURE_COUNT * 2);
    writeFeatures(tables, ORD_LGA, out, FEATURE_COUNT);
    expect(out.subarray(0, FEATURE_COUNT).every((v) => v === 0)).toBe(true);
    expect([...out.subarray(FEATURE_COUNT)]).toEqual([...toFeatures(tables, ORD_LGA)]);
  });
});
