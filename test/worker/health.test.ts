import { exports } from "cloudflare:workers";
import { expect, it } from "vitest";
import { card } from "../../models/edge/current";

it("health names the model and session state", async () => {
  const response = await exports.default.fetch("http://edge.test/health");
  expect(response.status).toBe(200);
  const body = (await response.json()) as { status: string; model: unknown; session_loaded: boolean };
  expect(body.status).toBe("ok");
  expect(body.model).toEqual({ name: card.name, version: card.version });
  expect(typeof body.session_loaded).toBe("boolean");
});

it("health reports the session after a prediction", async () => {
  const predict = await exports.default.fetch("http://edge.test/predict", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ origin: "ATL", destination: "DFW", departure: "2026-07-01T08:00" }),
  });
  expect(predict.status).toBe(200);
  const body = (await (await exports.default.fetch("http://edge.test/health")).json()) as { session_loaded: boolean };
  expect(body.session_loaded).toBe(true);
});
