import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { canonicalizeFlight, parseDeparture } from "../../core/flight";
import { pickLanguage, renderMessage } from "../../core/messages";
import { compileTables, type LookupTables } from "../../core/tables";

const tables = compileTables(JSON.parse(readFileSync("models/edge/1/tables.json", "utf8")) as LookupTables);
const FLIGHT = { origin: "ORD", destination: "LGA", departure: "2026-12-24T18:30" };

describe("parseDeparture", () => {
  it("parseDeparture keeps local time without offset", () => {
    expect(parseDeparture("2026-12-24T18:30", "America/Chicago")).toEqual({
      year: 2026, month: 12, day: 24, hour: 18, minute: 30,
    });
  });

  it("parseDeparture converts an offset to local time", () => {
    // 14:30 in São Paulo (UTC-3) is 11:30 in Chicago (UTC-6) in December.
    expect(parseDeparture("2026-12-24T14:30-03:00", "America/Chicago")).toMatchObject({ hour: 11, minute: 30 });
  });

  it("parseDeparture honours daylight saving time", () => {
    // New York is UTC-4 in July.
    expect(parseDeparture("2026-07-01T12:00Z", "America/New_York")).toMatchObject({ hour: 8 });
  });

  it("parseDeparture crosses midnight", () => {
    expect(parseDeparture("2026-01-01T02:00Z", "America/Los_Angeles")).toEqual({
      year: 2025, month: 12, day: 31, hour: 18, minute: 0,
    });
  });

  it("parseDeparture truncates seconds", () => {
    expect(parseDeparture("2026-12-24T18:30:59.999", "America/Chicago")).toMatchObject({ minute: 30 });
  });

  it("parseDeparture rejects impossible values", () => {
    expect(parseDeparture("2026-02-29T10:00", "UTC")).toBeUndefined();
    expect(parseDeparture("2026-12-24T25:00", "UTC")).toBeUndefined();
    expect(parseDeparture("2026-12-24T10:60", "UTC")).toBeUndefined();
    expect(parseDeparture("2026-12-24T10:00+19:00", "UTC")).toBeUndefined();
  });

  it("parseDeparture accepts leap day", () => {
    expect(parseDeparture("2028-02-29T10:00", "UTC")).toMatchObject({ month: 2, day: 29 });
  });
});

describe("canonicalizeFlight", () => {
  it("canonicalizeFlight fills distance from the route", () => {
    const result = canonicalizeFlight(FLIGHT, tables, "edge v1");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.flight.distanceMiles).toBe(tables.routes.get("ORD-LGA")!.distanceMiles);
    expect(result.flight.departure).toBe("2026-12-24T18:30");
  });

  it("canonicalizeFlight makes equal questions equal", () => {
    const a = canonicalizeFlight({ ...FLIGHT, origin: "ord", departure: "2026-12-24T18:30:00" }, tables, "edge v1");
    const b = canonicalizeFlight({ ...FLIGHT, departure: "2026-12-25T00:30:00Z" }, tables, "edge v1");
    expect(a).toEqual(b);
  });

  it("canonicalizeFlight accepts a plausible flown distance", () => {
    const result = canonicalizeFlight({ ...FLIGHT, distance_miles: 740.4 }, tables, "edge v1");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.flight.distanceMiles).toBe(740);
  });

  it("canonicalizeFlight rejects a distance far off", () => {
    const result = canonicalizeFlight({ ...FLIGHT, distance_miles: 2000 }, tables, "edge v1");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.status).toBe(400);
    expect(result.problems[0]!.message.code).toBe("distance_mismatch");
  });

  it("canonicalizeFlight returns 422 for both unknown airports", () => {
    const result = canonicalizeFlight({ ...FLIGHT, origin: "QQQ", destination: "ZZZ" }, tables, "edge v1");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.status).toBe(422);
    expect(result.problems.map((p) => p.field)).toEqual(["origin", "destination"]);
  });

  it("canonicalizeFlight rejects null and arrays", () => {
    for (const body of [null, [], "ORD", 42]) {
      const result = canonicalizeFlight(body, tables, "edge v1");
      expect(result.ok).toBe(false);
    }
  });
});

describe("messages", () => {
  it("pickLanguage follows quality values", () => {
    expect(pickLanguage("pt-BR,pt;q=0.9,en;q=0.8")).toBe("pt-BR");
    expect(pickLanguage("en-US,pt-BR;q=0.5")).toBe("en");
    expect(pickLanguage("pt")).toBe("pt-BR");
    expect(pickLanguage("fr-FR, pt;q=0.3")).toBe("pt-BR");
    expect(pickLanguage("de")).toBe("en");
    expect(pickLanguage(undefined)).toBe("en");
    expect(pickLanguage("pt;q=0, en")).toBe("en");
  });

  it("renderMessage names the field in both languages", () => {
    const message = { code: "required" as const, params: { field: "origin" } };
    expect(renderMessage(message, "en")).toBe("origin is required.");
    expect(renderMessage(message, "pt-BR")).toBe("O campo origin é obrigatório.");
  });
});
