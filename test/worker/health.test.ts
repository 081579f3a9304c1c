import { expect, it } from "vitest";
import { card } from "../../models/edge/current";
import { fetchWorker, postJson } from "./client";

it("health names the model and session state", async () => {
  const response = await fetchWorker("/health");
  expect(response.status).toBe(200);
  const body = (await response.json()) as { status: string; model: unknown; session_loaded: boolean };
  expect(body.status).toBe("ok");
  expect(body.model).toEqual({ name: card.name, version: card.version });
  expect(typeof body.session_loaded).toBe("boolean");
});

it("health reports the session after a prediction", async () => {
  const predict = await postJson("/predict", { origin: "ATL", destination: "DFW", departure: "2026-07-01T08:00" });
  expect(predict.status).toBe(200);
  const body = (await (await fetchWorker("/health")).json()) as { session_loaded: boolean };
  expect(body.session_loaded).toBe(true);
});
