import { describe, expect, it } from "vitest";
import { PredictionSchema } from "../../core/contract";
import { fetchWorker, postJson } from "./client";

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { example?: unknown }> } }>>;
}

describe("API documentation", () => {
  it("openapi document lists every route", async () => {
    const response = await fetchWorker("/openapi.json");
    expect(response.status).toBe(200);
    const doc = (await response.json()) as OpenApiDocument;
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths).sort()).toEqual(["/health", "/predict", "/predict/batch", "/stats"]);
    expect(Object.keys(doc.paths["/predict"]!)).toEqual(["post"]);
  });

  it("openapi example request returns 200", async () => {
    const doc = (await (await fetchWorker("/openapi.json")).json()) as OpenApiDocument;
    const example = doc.paths["/predict"]!.post!.requestBody!.content["application/json"]!.example;
    expect(example).toBeDefined();
    const response = await postJson("/predict", example);
    expect(response.status).toBe(200);
    expect(PredictionSchema.safeParse(await response.json()).success).toBe(true);
  });

  it("docs page serves the reference", async () => {
    const response = await fetchWorker("/docs");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(await response.text()).toContain("/openapi.json");
  });
});
