// The OpenAPI document as a client would fetch it from the running Worker, validated against the
// official OpenAPI 3.1 schema (in Node, because the validator compiles code, which workerd forbids).

import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOAD_TEST_SETTINGS, type LocalWorker, startLocalWorker } from "../../scripts/lib/local-worker";

let worker: LocalWorker;
beforeAll(async () => {
  worker = await startLocalWorker(LOAD_TEST_SETTINGS);
}, 120_000);
afterAll(() => worker?.stop());

describe("OpenAPI document", () => {
  it("openapi validates as 3.1", async () => {
    const response = await worker.request("GET", "/openapi.json");
    expect(response.status).toBe(200);
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(response.body) as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("openapi example predicts over HTTP", async () => {
    const doc = JSON.parse((await worker.request("GET", "/openapi.json")).body) as {
      paths: { "/predict": { post: { requestBody: { content: { "application/json": { example: unknown } } } } } };
    };
    const example = doc.paths["/predict"].post.requestBody.content["application/json"].example;
    const response = await worker.request("POST", "/predict", JSON.stringify(example));
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ served_by: "edge", model: { name: "edge" } });
  });
});
