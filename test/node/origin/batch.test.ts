import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningOrigin, loggedRows, postJson, startOrigin } from "./harness";

// A real PostgreSQL keeps rows between runs, so request ids carry a per-run suffix.
const RUN = crypto.randomUUID().slice(0, 8);

let origin: RunningOrigin;
beforeAll(async () => {
  origin = await startOrigin();
}, 60_000);
afterAll(() => origin?.stop());

const FLIGHTS = [
  { origin: "ORD", destination: "LGA", departure: "2026-12-24T18:30", reference: "AA 1" },
  { origin: "ATL", destination: "DFW", departure: "2026-12-24T07:00" },
  { origin: "SFO", destination: "LAX", departure: "2026-12-24T12:15", distance_miles: 337 },
];

async function singleProbability(flight: object): Promise<number> {
  const body = (await (await postJson(`${origin.url}/predict`, flight)).json()) as { delay_probability: number };
  return body.delay_probability;
}

function postBatch(body: string, contentType: string, query = "", headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${origin.url}/predict/batch${query}`, { method: "POST", headers: { "content-type": contentType, ...headers }, body });
}

describe("origin batch formats", () => {
  it("batch scores a JSON array in order", async () => {
    const response = await postBatch(JSON.stringify(FLIGHTS), "application/json");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    const rows = (await response.json()) as Array<{ row: number; delay_probability: number; reference?: string }>;
    expect(rows.map((r) => r.row)).toEqual([1, 2, 3]);
    expect(rows[0]!.reference).toBe("AA 1");
    for (const [i, flight] of FLIGHTS.entries()) {
      expect(rows[i]!.delay_probability).toBe(await singleProbability(flight));
    }
  });

  it("batch scores NDJSON with inline errors", async () => {
    const lines = [JSON.stringify(FLIGHTS[0]), "{broken", JSON.stringify({ ...FLIGHTS[1], origin: "ZZZ" }), "", JSON.stringify(FLIGHTS[2])];
    const response = await postBatch(lines.join("\n") + "\n", "application/x-ndjson");
    expect(response.headers.get("content-type")).toContain("application/x-ndjson");
    const rows = (await response.text()).trim().split("\n").map((line) => JSON.parse(line) as { row: number; error?: { code: string } });
    expect(rows.map((r) => r.row)).toEqual([1, 2, 3, 5]);
    expect(rows[0]!.error).toBeUndefined();
    expect(rows[1]!.error?.code).toBe("invalid_json");
    expect(rows[2]!.error?.code).toBe("unknown_airport");
    expect(rows[3]!.error).toBeUndefined();
  });

  it("batch scores CSV with the edge model", async () => {
    const csv = "origin,destination,departure,distance_miles,reference\nORD,LGA,2026-12-24T18:30,,\"AA, 1\"\nORD,ORD,2026-12-24T18:30,,\n";
    const response = await postBatch(csv, "text/csv", "?model=edge");
    expect(response.headers.get("x-model-name")).toBe("edge");
    const [header, first, second] = (await response.text()).trim().split("\n");
    expect(header).toBe("row,origin,destination,departure,distance_miles,reference,delay_probability,is_delayed,error_code,error_field,error_message");
    expect(first).toBe(`1,ORD,LGA,2026-12-24T18:30,733,"AA, 1",0.415485,true,,,`);
    expect(second).toContain("2,,,,,,,,invalid_request,destination,");
  });

  it("batch writes errors in Portuguese", async () => {
    const response = await postBatch(JSON.stringify([{ ...FLIGHTS[0], destination: "ORD" }]), "application/json", "", {
      "accept-language": "pt-BR",
    });
    const rows = (await response.json()) as Array<{ error: { details: Array<{ message: string }> } }>;
    expect(rows[0]!.error.details[0]!.message).toContain("precisa ser diferente");
  });

  it("batch rejects an unknown content type", async () => {
    const response = await postBatch("x", "text/plain");
    expect(response.status).toBe(415);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("unsupported_media_type");
  });

  it("batch logs its rows in bulk", async () => {
    await postBatch(JSON.stringify(FLIGHTS), "application/json", "", { "x-request-id": `batch-log-${RUN}` });
    await origin.services.log.flush();
    expect(await loggedRows(origin.services, `batch-log-${RUN}`)).toBe(3);
  });
});

describe("origin batch streaming", () => {
  it("batch streams 100,000 NDJSON rows in order", async () => {
    const total = 100_000;
    const airports = [["ORD", "LGA"], ["ATL", "DFW"], ["SFO", "LAX"], ["DEN", "PHX"], ["BOS", "DCA"]] as const;
    const lines: string[] = [];
    for (let i = 0; i < total; i++) {
      const [from, to] = airports[i % airports.length]!;
      const minute = i % 1440;
      const time = `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;
      lines.push(JSON.stringify({ origin: from, destination: to, departure: `2026-12-24T${time}`, reference: String(i + 1) }));
    }

    const response = await postBatch(lines.join("\n"), "application/x-ndjson");
    const results = (await response.text()).trim().split("\n");
    expect(results).toHaveLength(total);
    let outOfOrder = 0;
    let errors = 0;
    results.forEach((line, i) => {
      const row = JSON.parse(line) as { row: number; reference?: string; error?: unknown };
      if (row.row !== i + 1 || row.reference !== String(i + 1)) outOfOrder++;
      if (row.error) errors++;
    });
    expect(outOfOrder).toBe(0);
    expect(errors).toBe(0);
  });

  it("batch stops when the client disconnects", async () => {
    const scored = () => origin.services.metrics.batchRows.get().then((m) => m.values.reduce((n, v) => n + v.value, 0));
    const before = await scored();

    // An endless body: the client sends rows and hangs up after reading the first results.
    await new Promise<void>((resolve, reject) => {
      const req = request(`${origin.url}/predict/batch`, { method: "POST", headers: { "content-type": "application/x-ndjson" } });
      const line = JSON.stringify({ origin: "ORD", destination: "LGA", departure: "2026-12-24T18:30" }) + "\n";
      let writing = true;
      const pump = () => {
        // Writes until the socket buffer is full; "drain" calls pump again.
        while (writing && req.write(line.repeat(100))) continue;
      };
      req.on("drain", pump);
      req.on("response", (res) => {
        res.once("data", () => {
          writing = false;
          req.destroy();
          resolve();
        });
      });
      req.on("error", (error) => (writing ? reject(error) : resolve()));
      pump();
    });

    await new Promise((r) => setTimeout(r, 500));
    const afterDisconnect = await scored();
    await new Promise((r) => setTimeout(r, 500));
    expect(await scored()).toBe(afterDisconnect);
    expect(afterDisconnect).toBeGreaterThan(before);
  });
});
