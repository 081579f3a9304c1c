import { describe, expect, it } from "vitest";
import { card } from "../../models/edge/current";
import { type ErrorBody, fetchWorker, postJson } from "./client";

const post = (body: unknown, headers: Record<string, string> = {}) => postJson("/predict", body, headers);

// The cache is keyed by the flight, so tests that need the model to run use their own departure time.
let nextMinute = 0;
function freshFlight() {
  const minute = nextMinute++;
  return { origin: "ORD", destination: "LGA", departure: `2026-11-0${1 + Math.floor(minute / 60)}T10:${String(minute % 60).padStart(2, "0")}` };
}

const FLIGHT = { origin: "ORD", destination: "LGA", departure: "2026-12-24T18:30" };

describe("POST /predict", () => {
  it("predict returns a real prediction", async () => {
    const response = await post({ ...freshFlight(), reference: "AA 1234" });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(typeof body.delay_probability).toBe("number");
    expect(body.delay_probability).toBeGreaterThan(0);
    expect(body.delay_probability).toBeLessThan(1);
    expect(body.threshold).toBe(card.threshold);
    expect(body.is_delayed).toBe((body.delay_probability as number) >= card.threshold);
    expect(body.model).toEqual({ name: card.name, version: card.version });
    expect(body.served_by).toBe("edge");
    expect(body.cached).toBe(false);
    expect(response.headers.get("x-cache")).toBe("MISS");
    expect(body.request_id).toBe(response.headers.get("x-request-id"));
    expect(body.reference).toBe("AA 1234");
    expect(body.flight).toMatchObject({ origin: "ORD", destination: "LGA", departure: "2026-11-01T10:00" });
  });

  it("predict normalises airport case", async () => {
    const upper = (await (await post(FLIGHT)).json()) as { delay_probability: number };
    const lower = (await (await post({ ...FLIGHT, origin: "ord", destination: "lga" })).json()) as {
      delay_probability: number;
    };
    expect(lower.delay_probability).toBe(upper.delay_probability);
  });

  it("predict converts an offset to airport local time", async () => {
    // 2026-12-25T00:30Z is 18:30 in Chicago (UTC-6 in December).
    const response = await post({ ...FLIGHT, departure: "2026-12-25T00:30:00Z" });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { flight: { departure: string } };
    expect(body.flight.departure).toBe("2026-12-24T18:30");
  });

  it("predict depends on departure hour", async () => {
    const morning = (await (await post({ ...FLIGHT, departure: "2026-12-24T06:00" })).json()) as {
      delay_probability: number;
    };
    const evening = (await (await post({ ...FLIGHT, departure: "2026-12-24T19:00" })).json()) as {
      delay_probability: number;
    };
    expect(evening.delay_probability).toBeGreaterThan(morning.delay_probability);
  });

  it("predict honours a valid X-Request-Id", async () => {
    const response = await post(FLIGHT, { "x-request-id": "client-42" });
    expect(response.headers.get("x-request-id")).toBe("client-42");
    expect(((await response.json()) as { request_id: string }).request_id).toBe("client-42");
  });

  it("predict replaces an invalid X-Request-Id", async () => {
    const response = await post(FLIGHT, { "x-request-id": "bad id with spaces" });
    expect(response.headers.get("x-request-id")).not.toBe("bad id with spaces");
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("POST /predict bad input", () => {
  const cases: Array<[string, unknown, string, string]> = [
    ["missing origin", { destination: "LGA", departure: FLIGHT.departure }, "origin", "origin is required"],
    ["numeric origin", { ...FLIGHT, origin: 123 }, "origin", "origin must be a string"],
    ["four-letter airport", { ...FLIGHT, origin: "KORD" }, "origin", "3-letter IATA"],
    ["same airports", { ...FLIGHT, destination: "ORD" }, "destination", "must differ"],
    ["date only", { ...FLIGHT, departure: "2026-12-24" }, "departure", "ISO 8601"],
    ["impossible date", { ...FLIGHT, departure: "2026-02-30T10:00" }, "departure", "not a real calendar"],
    ["hour 24", { ...FLIGHT, departure: "2026-12-24T24:00" }, "departure", "not a real calendar"],
    ["string distance", { ...FLIGHT, distance_miles: "733" }, "distance_miles", "must be a number"],
    ["negative distance", { ...FLIGHT, distance_miles: -5 }, "distance_miles", "greater than 0 and at most 12000, got -5"],
    ["distance far off", { ...FLIGHT, distance_miles: 3000 }, "distance_miles", "far from"],
    ["long reference", { ...FLIGHT, reference: "x".repeat(65) }, "reference", "at most 64"],
    ["unknown field", { ...FLIGHT, distance: 733 }, "distance", "not a known field"],
  ];

  for (const [name, body, field, text] of cases) {
    it(`predict rejects ${name} with 400`, async () => {
      const response = await post(body);
      expect(response.status).toBe(400);
      const error = (await response.json()) as ErrorBody;
      expect(error.error.code).toBe("invalid_request");
      expect(error.error.details.map((d) => d.field)).toContain(field);
      expect(error.error.details.find((d) => d.field === field)?.message).toContain(text);
      expect(error.request_id).toBe(response.headers.get("x-request-id"));
    });
  }

  it("predict lists every bad field at once", async () => {
    const response = await post({ origin: "1", departure: "soon" });
    const error = (await response.json()) as ErrorBody;
    expect(error.error.details.map((d) => d.field).sort()).toEqual(["departure", "destination", "origin"]);
  });

  it("predict rejects unknown airport with 422", async () => {
    const response = await post({ ...FLIGHT, destination: "ZZZ" });
    expect(response.status).toBe(422);
    const error = (await response.json()) as ErrorBody;
    expect(error.error.code).toBe("unknown_airport");
    expect(error.error.details).toHaveLength(1);
    expect(error.error.details[0]!.field).toBe("destination");
    expect(error.error.details[0]!.message).toContain("ZZZ");
  });

  it("unknown airport names the requested model", async () => {
    const edge = (await (await post({ ...FLIGHT, destination: "ZZZ" })).json()) as ErrorBody;
    const full = (await (await post({ ...FLIGHT, destination: "ZZZ", model: "full" })).json()) as ErrorBody;
    expect(edge.error.details[0]!.message).toContain("edge");
    // No origin response has reached this isolate, so the full model's version is not known yet.
    expect(full.error.details[0]!.message).toContain("full");
    expect(full.error.details[0]!.message).not.toContain("edge");
  });

  it("predict rejects malformed JSON with 400", async () => {
    const response = await post("{not json");
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).error.code).toBe("invalid_json");
  });

  it("predict rejects a JSON array with 400", async () => {
    const response = await post([FLIGHT]);
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).error.details[0]!.field).toBe("body");
  });

  it("predict rejects a non-JSON content type with 415", async () => {
    const response = await fetchWorker("/predict", {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify(FLIGHT),
    });
    expect(response.status).toBe(415);
    expect(((await response.json()) as ErrorBody).error.code).toBe("unsupported_media_type");
  });

  it("missing content type is named", async () => {
    // A Blob body without a type makes fetch send no Content-Type header at all.
    const send = (language: string) =>
      fetchWorker("/predict", { method: "POST", headers: { "accept-language": language }, body: new Blob([JSON.stringify(FLIGHT)]) });
    const english = (await (await send("en")).json()) as ErrorBody;
    const portuguese = (await (await send("pt-BR")).json()) as ErrorBody;
    expect(english.error.message).toBe("Content-Type must be application/json, and the header is missing.");
    expect(portuguese.error.message).toBe("O Content-Type precisa ser application/json; o cabeçalho não veio.");
  });

  it("predict rejects a body over 64 KB with 413", async () => {
    const response = await post({ ...FLIGHT, padding: "x".repeat(70_000) });
    expect(response.status).toBe(413);
    expect(((await response.json()) as ErrorBody).error.code).toBe("payload_too_large");
  });

  it("predict answers in Portuguese for pt-BR", async () => {
    const response = await post({ ...FLIGHT, destination: "ORD" }, { "accept-language": "pt-BR,pt;q=0.9,en;q=0.5" });
    const error = (await response.json()) as ErrorBody;
    expect(response.headers.get("content-language")).toBe("pt-BR");
    expect(error.error.details[0]!.message).toContain("precisa ser diferente");
  });
});

describe("routing errors", () => {
  it("unknown path returns 404 shape", async () => {
    const response = await fetchWorker("/nope");
    expect(response.status).toBe(404);
    const error = (await response.json()) as ErrorBody;
    expect(error.error.code).toBe("not_found");
    expect(error.request_id).toBeTruthy();
  });

  it("GET predict returns 405 with Allow", async () => {
    const response = await fetchWorker("/predict");
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
    expect(((await response.json()) as ErrorBody).error.code).toBe("method_not_allowed");
  });
});
