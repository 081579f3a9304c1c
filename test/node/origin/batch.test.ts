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

interface ErrorBody {
  error: { code: string; message: string; details: Array<{ field: string; message: string }> };
  request_id: string;
}

interface RowResult {
  row: number;
  model?: { name: string };
  delay_probability?: number;
  error?: { code: string; details: Array<{ field: string; message: string }> };
}

const PT = { "accept-language": "pt-BR" };

describe("origin batch row model", () => {
  it("row model differing from batch is an error", async () => {
    const rows = [{ ...FLIGHTS[0], model: "edge" }, { ...FLIGHTS[0], model: "full" }, FLIGHTS[0]];
    const response = await postBatch(JSON.stringify(rows), "application/json");
    expect(response.status).toBe(200);
    expect(response.headers.get("x-model-name")).toBe("full");
    const results = (await response.json()) as RowResult[];

    expect(results[0]!.error?.code).toBe("invalid_request");
    expect(results[0]!.error?.details).toHaveLength(1);
    expect(results[0]!.error?.details[0]!.field).toBe("model");
    expect(results[0]!.error?.details[0]!.message).toContain("scored by the full model");
    expect(results[0]!.error?.details[0]!.message).toContain("?model=edge");
    expect(results[0]!.delay_probability).toBeUndefined();

    expect(results[1]!.error).toBeUndefined();
    expect(results[1]!.delay_probability).toBe(results[2]!.delay_probability);
  });

  it("row model matching edge batch is scored", async () => {
    const csv = "origin,destination,departure,model\nORD,LGA,2026-12-24T18:30,edge\nORD,LGA,2026-12-24T18:30,full\nORD,LGA,2026-12-24T18:30,\n";
    const response = await postBatch(csv, "text/csv", "?model=edge");
    expect(response.headers.get("x-model-name")).toBe("edge");
    const [, first, second, third] = (await response.text()).trim().split("\n");
    expect(first).toBe("1,ORD,LGA,2026-12-24T18:30,733,,0.415485,true,,,");
    expect(second).toContain("2,,,,,,,,invalid_request,model,");
    expect(second).toContain("?model=full");
    expect(third).toBe("3,ORD,LGA,2026-12-24T18:30,733,,0.415485,true,,,");
  });

  it("row model error in Portuguese", async () => {
    const response = await postBatch(JSON.stringify({ ...FLIGHTS[0], model: "edge" }) + "\n", "application/x-ndjson", "", PT);
    const result = JSON.parse((await response.text()).trim()) as RowResult;
    expect(result.error?.details[0]!.field).toBe("model");
    expect(result.error?.details[0]!.message).toContain("Este lote é pontuado pelo modelo full");
    expect(result.error?.details[0]!.message).toContain("?model=edge");
  });
});

describe("origin batch CSV header", () => {
  it("CSV without header is a 400", async () => {
    const response = await postBatch("ORD,LGA,2026-12-24T18:30\nATL,DFW,2026-12-24T07:00\n", "text/csv", "", { "x-request-id": `csv-header-${RUN}` });
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toContain("application/json");
    const body = (await response.json()) as ErrorBody;
    expect(body.request_id).toBe(`csv-header-${RUN}`);
    expect(body.error.code).toBe("invalid_csv_header");
    expect(body.error.message).toContain('"origin,destination,departure"');
    const fields = body.error.details.map((d) => d.field);
    expect(fields).toEqual(["origin", "destination", "departure", "ORD", "LGA", "2026-12-24T18:30"]);
    expect(body.error.details[0]!.message).toContain("no origin column");
    expect(body.error.details[3]!.message).toContain('"ORD" is not a known column');
  });

  it("CSV unknown column is a 400", async () => {
    const response = await postBatch("origin,destination,departure,flight_no\nORD,LGA,2026-12-24T18:30,AA1\n", "text/csv");
    expect(response.status).toBe(400);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.code).toBe("invalid_csv_header");
    expect(body.error.details).toHaveLength(1);
    expect(body.error.details[0]!.field).toBe("flight_no");
    expect(body.error.details[0]!.message).toContain("Allowed columns: origin, destination, departure, distance_miles, reference, model");
  });

  it("CSV duplicate column is a 400", async () => {
    const response = await postBatch("origin,destination,departure,origin\nORD,LGA,2026-12-24T18:30,ATL\n", "text/csv");
    expect(response.status).toBe(400);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.details.map((d) => d.field)).toEqual(["origin"]);
    expect(body.error.details[0]!.message).toContain("more than once");
  });

  it("CSV header error in Portuguese", async () => {
    const response = await postBatch("origin,destination\nORD,LGA\n", "text/csv", "", PT);
    expect(response.status).toBe(400);
    expect(response.headers.get("content-language")).toBe("pt-BR");
    const body = (await response.json()) as ErrorBody;
    expect(body.error.message).toContain("A linha de cabeçalho do CSV é inválida");
    expect(body.error.details).toEqual([{ field: "departure", message: expect.stringContaining("não tem a coluna departure") }]);
  });

  it("CSV header accepts any column order", async () => {
    const response = await postBatch("departure,reference,destination,origin\n2026-12-24T18:30,AA 1,LGA,ORD\n", "text/csv", "?model=edge");
    expect(response.status).toBe(200);
    const [, first] = (await response.text()).trim().split("\n");
    expect(first).toBe("1,ORD,LGA,2026-12-24T18:30,733,AA 1,0.415485,true,,,");
  });

  it("CSV row with extra cells is an error", async () => {
    const response = await postBatch("origin,destination,departure,reference\nORD,LGA,2026-12-24T18:30,AA, 1\n", "text/csv");
    const [, first] = (await response.text()).trim().split("\n");
    expect(first).toContain("1,,,,,,,,invalid_request,row,");
    expect(first).toContain("This row has 5 cells but the header names 4 columns");
  });
});

describe("origin batch syntax errors", () => {
  it("NDJSON bad line has catalog message", async () => {
    const response = await postBatch(`{broken\n${JSON.stringify(FLIGHTS[0])}\n`, "application/x-ndjson");
    const [first, second] = (await response.text()).trim().split("\n").map((line) => JSON.parse(line) as RowResult);
    expect(first!.error?.code).toBe("invalid_json");
    expect(first!.error?.details[0]!.field).toBe("row");
    expect(first!.error?.details[0]!.message).toBe(
      'This line is not valid JSON (error at character 2). Send one flight per line as a JSON object, such as {"origin": "ORD", ...}.',
    );
    expect(second!.error).toBeUndefined();
  });

  it("NDJSON bad line in Portuguese", async () => {
    const response = await postBatch('{"origin": "ORD",\n', "application/x-ndjson", "", PT);
    const result = JSON.parse((await response.text()).trim()) as RowResult;
    const message = result.error?.details[0]!.message;
    expect(message).toContain("Esta linha não é um JSON válido");
    expect(message).not.toMatch(/Expected|Unexpected|position/);
  });

  it("JSON array syntax error ends batch", async () => {
    const response = await postBatch(`[${JSON.stringify(FLIGHTS[0])}, {broken}, ${JSON.stringify(FLIGHTS[1])}]`, "application/json", "", PT);
    expect(response.status).toBe(200);
    const results = (await response.json()) as RowResult[];
    // The row before the bad one may be lost with the chunk that contains the error, so the error row is 1 or 2.
    const last = results.at(-1)!;
    expect(results.length).toBeLessThanOrEqual(2);
    expect(last.row).toBe(results.length);
    expect(last.error?.code).toBe("invalid_json");
    expect(last.error?.details[0]!.field).toBe("row");
    expect(last.error?.details[0]!.message).toContain("A leitura parou nesta linha porque o array JSON não é válido");
  });

  it("CSV unclosed quote ends batch", async () => {
    const response = await postBatch('origin,destination,departure,reference\nORD,LGA,2026-12-24T18:30,x\nORD,LGA,2026-12-24T18:30,"AA 1\n', "text/csv");
    const lines = (await response.text()).trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain("2,,,,,,,,invalid_csv,row,");
    expect(lines[2]).toContain("This line is not valid CSV (CSV_QUOTE_NOT_CLOSED)");
  });
});

describe("origin batch body errors", () => {
  it("JSON object body is a 400", async () => {
    const response = await postBatch(JSON.stringify(FLIGHTS[0]), "application/json");
    expect(response.status).toBe(400);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.code).toBe("batch_not_an_array");
    expect(body.error.message).toContain("must be a JSON array of flights");
    expect(body.error.message).toContain("application/x-ndjson");
    expect(body.error.details).toEqual([{ field: "body", message: body.error.message }]);
  });

  it("JSON object body in Portuguese", async () => {
    const response = await postBatch(JSON.stringify(FLIGHTS[0]), "application/json", "", PT);
    expect(response.status).toBe(400);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.message).toContain("precisa ser um array JSON de voos");
  });

  it("large JSON object body gets its 400", async () => {
    // The rest of the body is never read, and the 400 must still reach the client.
    const padding = "x".repeat(4 * 1024 * 1024);
    const response = await postBatch(JSON.stringify({ ...FLIGHTS[0], reference: padding }), "application/json");
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).error.code).toBe("batch_not_an_array");
  });

  it("empty body is a 400 in every format", async () => {
    for (const contentType of ["application/json", "application/x-ndjson", "text/csv"]) {
      for (const text of ["", " \n\r\n\t"]) {
        const response = await postBatch(text, contentType);
        expect(response.status, `${contentType} ${JSON.stringify(text)}`).toBe(400);
        const body = (await response.json()) as ErrorBody;
        expect(body.error.code, contentType).toBe("empty_batch");
        expect(body.error.message, contentType).toContain("The batch body is empty");
      }
    }
  });

  it("empty body in Portuguese", async () => {
    const response = await postBatch("", "application/x-ndjson", "", PT);
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).error.message).toContain("O corpo do lote está vazio");
  });

  it("empty JSON array and header-only CSV are empty results", async () => {
    const json = await postBatch("[]", "application/json");
    expect(json.status).toBe(200);
    expect(await json.json()).toEqual([]);

    const csv = await postBatch("origin,destination,departure\n", "text/csv");
    expect(csv.status).toBe(200);
    expect((await csv.text()).trim().split("\n")).toHaveLength(1);
  });
});

describe("origin batch row wording", () => {
  it("row that is not an object says row", async () => {
    const response = await postBatch(JSON.stringify([1, "ORD", [FLIGHTS[0]], FLIGHTS[0]]), "application/json");
    const results = (await response.json()) as RowResult[];
    for (const result of results.slice(0, 3)) {
      expect(result.error?.code, `row ${result.row}`).toBe("invalid_request");
      expect(result.error?.details, `row ${result.row}`).toEqual([
        { field: "row", message: "Each row must be a JSON object with origin, destination and departure." },
      ]);
    }
    expect(results[3]!.error).toBeUndefined();
  });

  it("row that is not an object in Portuguese", async () => {
    const response = await postBatch("null\n", "application/x-ndjson", "", PT);
    const result = JSON.parse((await response.text()).trim()) as RowResult;
    expect(result.error?.details[0]!.message).toBe("Cada linha precisa ser um objeto JSON com origin, destination e departure.");
  });
});
