import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readAirports, type AirportsReadResult } from "../../training/data/airports";

const AIRPORTS_PATH = fileURLToPath(new URL("../../node_modules/vega-datasets/data/airports.csv", import.meta.url));
const HEADER = "iata,name,city,state,country,latitude,longitude";

describe("readAirports on vega airports.csv", () => {
  let result: AirportsReadResult;

  beforeAll(async () => {
    result = await readAirports(AIRPORTS_PATH);
  });

  it("reads every airport", () => {
    expect(result.airports.size).toBe(3376);
  });

  it("skips no rows", () => {
    expect(result.skipped).toBe(0);
  });

  const knownAirports: [string, number, number][] = [
    ["ORD", 41.98, -87.9],
    ["ATL", 33.64, -84.43],
    ["LAX", 33.94, -118.41],
    ["JFK", 40.64, -73.78],
    ["SEA", 47.45, -122.31],
  ];

  it.each(knownAirports)("%s latitude", (code, latitude) => {
    expect(result.airports.get(code)?.latitude).toBeCloseTo(latitude, 2);
  });

  it.each(knownAirports)("%s longitude", (code, _latitude, longitude) => {
    expect(result.airports.get(code)?.longitude).toBeCloseTo(longitude, 2);
  });

  it("ORD fields", () => {
    expect(result.airports.get("ORD")).toEqual({
      code: "ORD",
      name: "Chicago O'Hare International",
      city: "Chicago",
      state: "IL",
      country: "USA",
      latitude: 41.979595,
      longitude: -87.90446417,
    });
  });

  it("quoted name with comma", () => {
    expect(result.airports.get("BTR")?.name).toBe("Baton Rouge Metropolitan, Ryan");
  });

  it("NA city becomes empty", () => {
    expect(result.airports.get("CLD")?.city).toBe("");
  });

  it("NA state becomes empty", () => {
    expect(result.airports.get("CLD")?.state).toBe("");
  });

  it("keeps four-character codes", () => {
    expect(result.airports.get("11IS")).toBeDefined();
  });
});

describe("readAirports on bad rows", () => {
  let tempDir: string;

  beforeAll(async () => {
    tempDir = await mkdtemp(join(tmpdir(), "airports-test-"));
  });

  afterAll(async () => {
    await rm(tempDir, { recursive: true, force: true });
  });

  it("skips and counts invalid rows", async () => {
    const path = join(tempDir, "airports.csv");
    const rows = [
      "AAA,Good,Town,TX,USA,30.5,-97.5",
      "BBB,Empty latitude,Town,TX,USA,,-97.5",
      "CCC,Latitude out of range,Town,TX,USA,91,-97.5",
      "DDD,Longitude out of range,Town,TX,USA,30.5,-180.5",
      "EEE,Text longitude,Town,TX,USA,30.5,west",
      ",Empty code,Town,TX,USA,30.5,-97.5",
      "AAA,Repeated code,Town,TX,USA,31.5,-98.5",
    ];
    await writeFile(path, [HEADER, ...rows].join("\n"));

    const result = await readAirports(path);

    expect(result.skipped).toBe(6);
    expect([...result.airports.keys()]).toEqual(["AAA"]);
    expect(result.airports.get("AAA")?.name).toBe("Good");
  });

  it("missing column fails", async () => {
    const path = join(tempDir, "no-longitude.csv");
    await writeFile(path, "iata,name,city,state,country,latitude\nAAA,Good,Town,TX,USA,30.5\n");

    await expect(readAirports(path)).rejects.toThrow("missing required columns: longitude");
  });
});
