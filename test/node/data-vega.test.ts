import { fileURLToPath } from "node:url";
import { asyncBufferFromFile, parquetReadObjects } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { beforeAll, describe, expect, it } from "vitest";
import type { FlightRecord, ReadReport, RejectReason } from "../../training/data/types";
import { convertVegaRow, readVegaFlights, type VegaRow } from "../../training/data/vega";

const PARQUET_PATH = fileURLToPath(
  new URL("../../node_modules/vega-datasets/data/flights-3m.parquet", import.meta.url),
);
// sha256sum of flights-3m.parquet as shipped in vega-datasets 3.2.1. A new package version may change it.
const PARQUET_SHA256 = "dbeb920c90f59b6ccaff823dcc3d08f25a97fa1ce128d93f40be4e931f5900b0";
const FIRST_ROWS = 5;

const minuteOf = (year: number, month: number, day: number, hour: number, minute: number) =>
  Date.UTC(year, month - 1, day, hour, minute) / 60_000;

describe("readVegaFlights on flights-3m.parquet", () => {
  let report: ReadReport;
  let sinkCount = 0;
  const firstRecords: FlightRecord[] = [];
  const progress: number[] = [];
  let expectedRows: Record<string, unknown>[];

  beforeAll(async () => {
    report = await readVegaFlights(
      { path: PARQUET_PATH, onProgress: (rowsRead) => progress.push(rowsRead) },
      (record) => {
        if (sinkCount < FIRST_ROWS) firstRecords.push(record);
        sinkCount++;
      },
    );

    // hyparquet's own row reader is the reference for what the file contains.
    const file = await asyncBufferFromFile(PARQUET_PATH);
    expectedRows = await parquetReadObjects({ file, compressors, rowStart: 0, rowEnd: FIRST_ROWS });
  });

  it("reads all rows", () => {
    expect(report.rowsRead).toBe(3_000_000);
  });

  it("accounts for every row", () => {
    const rejectedTotal = Object.values(report.rejected).reduce((sum, count) => sum + count, 0);
    expect(report.rowsAccepted + rejectedTotal).toBe(report.rowsRead);
  });

  it("accepts every row of this file", () => {
    expect(report.rowsAccepted).toBe(3_000_000);
  });

  it("sinks one record per accepted row", () => {
    expect(sinkCount).toBe(report.rowsAccepted);
  });

  it("reports progress up to the total", () => {
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toBe(3_000_000);
  });

  it("first row matches hyparquet", () => {
    const record = firstRecords[0];
    const row = expectedRows[0];
    expect(record?.origin).toBe(row?.origin);
    expect(record?.destination).toBe(row?.destination);
    expect(record?.distanceMiles).toBe(Number(row?.distance));
    expect(record?.arrivalDelayMinutes).toBe(Number(row?.delay));
    expect(record?.actualMinute).toBe((row?.date as Date).getTime() / 60_000);
  });

  it("first row values", () => {
    const record = firstRecords[0];
    expect(record?.origin).toBe("LAS");
    expect(record?.destination).toBe("PHL");
    expect(record?.distanceMiles).toBe(2176);
    expect(record?.arrivalDelayMinutes).toBe(33);
    expect(record?.actualMinute).toBe(minuteOf(2001, 1, 1, 0, 1));
  });

  it("delayed row moves scheduled earlier", () => {
    // Row 0: LAS-PHL, 33 minutes late, departed 2001-01-01 00:01.
    const record = firstRecords[0];
    expect(record?.arrivalDelayMinutes).toBe(33);
    expect(record?.scheduledMinute).toBe(minuteOf(2001, 1, 1, 0, 1) - 33);
  });

  it("early row keeps scheduled equal to actual", () => {
    // Row 3: ANC-LAX, arrived 13 minutes early.
    const record = firstRecords[3];
    expect(record?.arrivalDelayMinutes).toBe(-13);
    expect(record?.scheduledMinute).toBe(record?.actualMinute);
  });

  it("sha256 is 64 hex characters", () => {
    expect(report.sha256["flights-3m.parquet"]).toMatch(/^[0-9a-f]{64}$/);
  });

  it("sha256 matches the known file", () => {
    expect(report.sha256["flights-3m.parquet"]).toBe(PARQUET_SHA256);
  });
});

describe("convertVegaRow", () => {
  const validRow: VegaRow = {
    date: BigInt(minuteOf(2001, 3, 4, 17, 30)) * 60_000_000n,
    delay: 20n,
    distance: 606n,
    origin: "ATL",
    destination: "ORD",
  };

  it("valid row", () => {
    expect(convertVegaRow(validRow)).toEqual({
      origin: "ATL",
      destination: "ORD",
      scheduledMinute: minuteOf(2001, 3, 4, 17, 10),
      actualMinute: minuteOf(2001, 3, 4, 17, 30),
      distanceMiles: 606,
      arrivalDelayMinutes: 20,
    });
  });

  it("on-time row keeps scheduled equal to actual", () => {
    const record = convertVegaRow({ ...validRow, delay: 0n });
    expect(typeof record).toBe("object");
    expect((record as FlightRecord).scheduledMinute).toBe(minuteOf(2001, 3, 4, 17, 30));
  });

  it("accepts a Date timestamp", () => {
    const record = convertVegaRow({ ...validRow, date: new Date(Date.UTC(2001, 2, 4, 17, 30)) });
    expect((record as FlightRecord).actualMinute).toBe(minuteOf(2001, 3, 4, 17, 30));
  });

  it("rounds sub-minute timestamps down", () => {
    const record = convertVegaRow({ ...validRow, date: (validRow.date as bigint) + 59_999_999n });
    expect((record as FlightRecord).actualMinute).toBe(minuteOf(2001, 3, 4, 17, 30));
  });

  const rejections: [string, Partial<VegaRow>, RejectReason][] = [
    ["null origin", { origin: null }, "missing_field"],
    ["null destination", { destination: null }, "missing_field"],
    ["null distance", { distance: null }, "missing_field"],
    ["null delay", { delay: null }, "missing_field"],
    ["lowercase origin", { origin: "atl" }, "invalid_airport"],
    ["two-letter destination", { destination: "OR" }, "invalid_airport"],
    ["four-character origin", { origin: "KATL" }, "invalid_airport"],
    ["same airports", { destination: "ATL" }, "same_airport"],
    ["zero distance", { distance: 0n }, "invalid_distance"],
    ["negative distance", { distance: -5n }, "invalid_distance"],
    ["NaN distance", { distance: NaN }, "invalid_distance"],
    ["NaN delay", { delay: NaN }, "invalid_delay"],
    ["infinite delay", { delay: Infinity }, "invalid_delay"],
    ["null date", { date: null }, "invalid_time"],
    ["invalid Date", { date: new Date(NaN) }, "invalid_time"],
    ["string date", { date: "2001-01-01" }, "invalid_time"],
  ];

  it.each(rejections)("rejects %s", (_name, change, reason) => {
    expect(convertVegaRow({ ...validRow, ...change })).toBe(reason);
  });
});
