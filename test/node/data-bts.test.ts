import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { convertBtsRow, readBtsCsvFolder } from "../../training/data/bts-csv";
import type { FlightRecord, ReadReport, RejectReason } from "../../training/data/types";

const FIXTURE_DIR = fileURLToPath(new URL("../fixtures/bts", import.meta.url));
const FIXTURE_FILES = ["On_Time_2023_1.csv", "On_Time_2023_2.csv"];

const HEADER = '"FlightDate","Reporting_Airline","Origin","Dest","CRSDepTime","DepTime","ArrDelay","Cancelled","Diverted","Distance",';

const minuteOf = (year: number, month: number, day: number, hour: number, minute: number) =>
  Date.UTC(year, month - 1, day, hour, minute) / 60_000;

const findRecord = (records: FlightRecord[], origin: string, destination: string, scheduledMinute: number) =>
  records.find((r) => r.origin === origin && r.destination === destination && r.scheduledMinute === scheduledMinute);

describe("readBtsCsvFolder on the fixture", () => {
  let report: ReadReport;
  const records: FlightRecord[] = [];
  const progress: number[] = [];

  beforeAll(async () => {
    report = await readBtsCsvFolder(
      { dir: FIXTURE_DIR, onProgress: (rowsRead) => progress.push(rowsRead) },
      (record) => records.push(record),
    );
  });

  it("reads all rows", () => {
    expect(report.rowsRead).toBe(60);
  });

  it("accepts 46 rows", () => {
    expect(report.rowsAccepted).toBe(46);
  });

  it("sinks one record per accepted row", () => {
    expect(records.length).toBe(report.rowsAccepted);
  });

  const expectedRejections: [RejectReason, number][] = [
    ["cancelled", 3],
    ["diverted", 2],
    ["missing_field", 2],
    ["invalid_airport", 1],
    ["same_airport", 1],
    ["invalid_distance", 2],
    ["invalid_time", 2],
    ["invalid_delay", 1],
  ];

  it.each(expectedRejections)("rejects %s rows", (reason, count) => {
    expect(report.rejected[reason]).toBe(count);
  });

  it("has no other reject reasons", () => {
    expect(Object.keys(report.rejected).sort()).toEqual(expectedRejections.map(([reason]) => reason).sort());
  });

  it("accounts for every row", () => {
    const rejectedTotal = Object.values(report.rejected).reduce((sum, count) => sum + count, 0);
    expect(report.rowsAccepted + rejectedTotal).toBe(report.rowsRead);
  });

  it("reports progress per file", () => {
    expect(progress).toEqual([30, 60]);
  });

  it.each(FIXTURE_FILES)("sha256 of %s", async (fileName) => {
    const expected = createHash("sha256").update(await readFile(join(FIXTURE_DIR, fileName))).digest("hex");
    expect(report.sha256[fileName]).toBe(expected);
  });

  it("reads files in name order", () => {
    expect(records[0]?.scheduledMinute).toBe(minuteOf(2023, 1, 2, 7, 5));
    expect(records.at(-1)?.scheduledMinute).toBe(minuteOf(2023, 2, 19, 22, 55));
  });

  it("first record values", () => {
    expect(records[0]).toEqual({
      origin: "ATL",
      destination: "ORD",
      scheduledMinute: minuteOf(2023, 1, 2, 7, 5),
      actualMinute: minuteOf(2023, 1, 2, 7, 5),
      distanceMiles: 606,
      arrivalDelayMinutes: -9,
    });
  });

  it("2400 departs next day at midnight", () => {
    // LAX-JFK on 2023-01-14 with CRSDepTime "2400".
    const record = findRecord(records, "LAX", "JFK", minuteOf(2023, 1, 15, 0, 0));
    expect(record).toBeDefined();
    expect(record?.actualMinute).toBe(record?.scheduledMinute);
  });

  it("three-digit CRSDepTime", () => {
    // ATL-ORD on 2/1/2023 with CRSDepTime "705".
    expect(findRecord(records, "ATL", "ORD", minuteOf(2023, 2, 1, 7, 5))).toBeDefined();
  });

  it("US date format", () => {
    // MIA-JFK on "2/5/2023 12:00:00 AM" at 13:00, 7 minutes early.
    const record = findRecord(records, "MIA", "JFK", minuteOf(2023, 2, 5, 13, 0));
    expect(record?.arrivalDelayMinutes).toBe(-7);
  });
});

describe("readBtsCsvFolder errors and layouts", () => {
  let tempRoot: string;

  beforeAll(async () => {
    tempRoot = await mkdtemp(join(tmpdir(), "bts-csv-test-"));
  });

  afterAll(async () => {
    await rm(tempRoot, { recursive: true, force: true });
  });

  async function makeFolder(name: string, files: Record<string, string>): Promise<string> {
    const dir = join(tempRoot, name);
    await mkdir(dir);
    for (const [fileName, text] of Object.entries(files)) {
      await writeFile(join(dir, fileName), text);
    }
    return dir;
  }

  it("missing column names file and columns", async () => {
    const dir = await makeFolder("missing-column", {
      "On_Time_2023_3.csv": '"FlightDate","Origin","CRSDepTime","Cancelled","Diverted","Distance",\n2023-03-01,"ATL","0705",0.00,0.00,606.00,\n',
    });
    const read = readBtsCsvFolder({ dir }, () => {});
    await expect(read).rejects.toThrow("On_Time_2023_3.csv");
    await expect(read).rejects.toThrow("missing required columns: Dest, ArrDelay");
  });

  it("empty folder fails", async () => {
    const dir = await makeFolder("empty", { "README.md": "not a CSV" });
    await expect(readBtsCsvFolder({ dir }, () => {})).rejects.toThrow("No *.csv files found");
  });

  it("empty file fails", async () => {
    const dir = await makeFolder("empty-file", { "On_Time_2023_4.csv": "" });
    await expect(readBtsCsvFolder({ dir }, () => {})).rejects.toThrow("On_Time_2023_4.csv is empty");
  });

  it("malformed line names file", async () => {
    const dir = await makeFolder("malformed", {
      "On_Time_2023_5.csv": `${HEADER}\n2023-05-01,"DL","ATL","ORD","0705","0702",-9.00\n`,
    });
    const read = readBtsCsvFolder({ dir }, () => {});
    await expect(read).rejects.toThrow("Failed to parse");
    await expect(read).rejects.toThrow("On_Time_2023_5.csv");
  });

  it("plain M/D/YYYY date", async () => {
    const dir = await makeFolder("plain-us-date", {
      "flights.csv": `${HEADER}\n3/9/2023,"DL","ATL","ORD","0705","0702",-9.00,0.00,0.00,606.00,\n`,
    });
    const records: FlightRecord[] = [];
    await readBtsCsvFolder({ dir }, (record) => records.push(record));
    expect(records[0]?.scheduledMinute).toBe(minuteOf(2023, 3, 9, 7, 5));
  });

  it("numeric file name order", async () => {
    const line = (date: string) => `${date},"DL","ATL","ORD","0705","0702",-9.00,0.00,0.00,606.00,`;
    const dir = await makeFolder("file-order", {
      "On_Time_2023_10.csv": `${HEADER}\n${line("2023-10-01")}\n`,
      "On_Time_2023_2.csv": `${HEADER}\n${line("2023-02-01")}\n`,
    });
    const records: FlightRecord[] = [];
    await readBtsCsvFolder({ dir }, (record) => records.push(record));
    expect(records.map((r) => r.scheduledMinute)).toEqual([minuteOf(2023, 2, 1, 7, 5), minuteOf(2023, 10, 1, 7, 5)]);
  });
});

describe("convertBtsRow", () => {
  const validRow = {
    FlightDate: "2023-03-04",
    CRSDepTime: "1730",
    Origin: "DEN",
    Dest: "SEA",
    Distance: "1024.00",
    ArrDelay: "20.00",
    Cancelled: "0.00",
    Diverted: "0.00",
  };

  it("valid row", () => {
    expect(convertBtsRow(validRow)).toEqual({
      origin: "DEN",
      destination: "SEA",
      scheduledMinute: minuteOf(2023, 3, 4, 17, 30),
      actualMinute: minuteOf(2023, 3, 4, 17, 30),
      distanceMiles: 1024,
      arrivalDelayMinutes: 20,
    });
  });

  const times: [string, number][] = [
    ["0000", minuteOf(2023, 3, 4, 0, 0)],
    ["5", minuteOf(2023, 3, 4, 0, 5)],
    ["705", minuteOf(2023, 3, 4, 7, 5)],
    ["2359", minuteOf(2023, 3, 4, 23, 59)],
    ["2400", minuteOf(2023, 3, 5, 0, 0)],
  ];

  it.each(times)("CRSDepTime %s", (crsDepTime, expected) => {
    expect((convertBtsRow({ ...validRow, CRSDepTime: crsDepTime }) as FlightRecord).scheduledMinute).toBe(expected);
  });

  it("integer flags", () => {
    expect(typeof convertBtsRow({ ...validRow, Cancelled: "0", Diverted: "0" })).toBe("object");
  });

  const rejections: [string, Partial<typeof validRow>, RejectReason][] = [
    ["cancelled flag 1.00", { Cancelled: "1.00", ArrDelay: "" }, "cancelled"],
    ["cancelled flag 1", { Cancelled: "1" }, "cancelled"],
    ["diverted flag", { Diverted: "1.00", ArrDelay: "" }, "diverted"],
    ["empty Cancelled", { Cancelled: "" }, "missing_field"],
    ["unreadable Diverted", { Diverted: "yes" }, "missing_field"],
    ["empty ArrDelay", { ArrDelay: "" }, "missing_field"],
    ["empty Origin", { Origin: "" }, "missing_field"],
    ["empty Distance", { Distance: "" }, "missing_field"],
    ["lowercase Dest", { Dest: "sea" }, "invalid_airport"],
    ["two-letter Origin", { Origin: "DE" }, "invalid_airport"],
    ["same airports", { Dest: "DEN" }, "same_airport"],
    ["zero Distance", { Distance: "0.00" }, "invalid_distance"],
    ["negative Distance", { Distance: "-1024.00" }, "invalid_distance"],
    ["text ArrDelay", { ArrDelay: "NA" }, "invalid_delay"],
    ["empty FlightDate", { FlightDate: "" }, "invalid_time"],
    ["nonexistent date", { FlightDate: "2023-02-30" }, "invalid_time"],
    ["day-first date", { FlightDate: "04.03.2023" }, "invalid_time"],
    ["empty CRSDepTime", { CRSDepTime: "" }, "invalid_time"],
    ["CRSDepTime minute 60", { CRSDepTime: "0760" }, "invalid_time"],
    ["CRSDepTime 2401", { CRSDepTime: "2401" }, "invalid_time"],
    ["CRSDepTime with colon", { CRSDepTime: "07:05" }, "invalid_time"],
  ];

  it.each(rejections)("rejects %s", (_name, change, reason) => {
    expect(convertBtsRow({ ...validRow, ...change })).toBe(reason);
  });
});
