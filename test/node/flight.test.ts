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

  it("canonicalizeFlight lists a bad date with other fields", () => {
    const result = canonicalizeFlight({ ...FLIGHT, origin: "ORDX", departure: "2026-13-24T18:30" }, tables, "edge v1");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.status).toBe(400);
    expect(result.problems.map((p) => [p.field, p.message.code])).toEqual([
      ["origin", "airport_format"],
      ["departure", "departure_invalid_date"],
    ]);
  });

  it("canonicalizeFlight reports a malformed date once", () => {
    const result = canonicalizeFlight({ ...FLIGHT, departure: "tomorrow" }, tables, "edge v1");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => [p.field, p.message.code])).toEqual([["departure", "departure_format"]]);
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

/** Renders the first problem canonicalizeFlight finds in `body`, in both languages. */
function firstProblem(body: object): { field: string; en: string; ptBR: string } {
  const result = canonicalizeFlight(body, tables, "edge v1");
  if (result.ok) throw new Error(`expected a problem with ${JSON.stringify(body)}`);
  const [problem] = result.problems;
  return { field: problem!.field, en: renderMessage(problem!.message, "en"), ptBR: renderMessage(problem!.message, "pt-BR") };
}

describe("flight error texts", () => {
  it("negative distance states the range", () => {
    const problem = firstProblem({ ...FLIGHT, distance_miles: -5 });
    expect(problem.field).toBe("distance_miles");
    expect(problem.en).toBe("distance_miles must be greater than 0 and at most 12000, got -5.");
    expect(problem.ptBR).toBe("O campo distance_miles precisa ser maior que 0 e no máximo 12000; recebido -5.");
  });

  it("distance above maximum states the range", () => {
    const problem = firstProblem({ ...FLIGHT, distance_miles: 12_001 });
    expect(problem.en).toBe("distance_miles must be greater than 0 and at most 12000, got 12001.");
    expect(problem.ptBR).toBe("O campo distance_miles precisa ser maior que 0 e no máximo 12000; recebido 12001.");
  });

  it("distance far off names the route", () => {
    const problem = firstProblem({ ...FLIGHT, distance_miles: 2000 });
    expect(problem.field).toBe("distance_miles");
    expect(problem.en).toBe(
      "distance_miles 2000 is far from the 731 miles between ORD and LGA. Send the flown distance or leave the field out.",
    );
    expect(problem.ptBR).toBe(
      "O valor 2000 do campo distance_miles está muito longe das 731 milhas entre ORD e LGA. Envie a distância percorrida no voo ou omita o campo.",
    );
  });

  it("same airports names the code", () => {
    const problem = firstProblem({ ...FLIGHT, destination: "ord" });
    expect(problem.field).toBe("destination");
    expect(problem.en).toBe("destination must differ from origin, got ORD for both.");
    expect(problem.ptBR).toBe("O destino (destination) precisa ser diferente da origem (origin); recebido ORD nos dois.");
  });

  it("long reference states the length", () => {
    const problem = firstProblem({ ...FLIGHT, reference: "x".repeat(65) });
    expect(problem.field).toBe("reference");
    expect(problem.en).toBe("reference must be at most 64 characters, got 65. Shorten it.");
    expect(problem.ptBR).toBe("O campo reference pode ter no máximo 64 caracteres; recebidos 65. Encurte o texto.");
  });

  it("impossible date names the value", () => {
    const problem = firstProblem({ ...FLIGHT, departure: "2026-02-30T10:00" });
    expect(problem.field).toBe("departure");
    expect(problem.en).toBe(
      'departure "2026-02-30T10:00" is not a real calendar date and time. Check the day of the month and the time.',
    );
    expect(problem.ptBR).toBe(
      'O valor "2026-02-30T10:00" do campo departure não é uma data e hora real do calendário. Confira o dia do mês e o horário.',
    );
  });

  it("Portuguese texts name the origin service", () => {
    expect(renderMessage({ code: "unauthorized" }, "pt-BR")).toBe(
      "Cabeçalho X-Origin-Secret ausente ou incorreto. Chame o serviço de origem pelo edge ou envie o segredo compartilhado.",
    );
    expect(renderMessage({ code: "internal_error" }, "pt-BR")).toBe(
      "Erro interno. Isto é um bug, e o request_id desta resposta identifica o caso nos nossos logs.",
    );
    const notAllowed = { code: "method_not_allowed" as const, params: { method: "PUT", path: "/predict", allowed: "POST" } };
    expect(renderMessage(notAllowed, "pt-BR")).toBe("O método PUT não é permitido em /predict. Métodos permitidos: POST.");
  });
});
