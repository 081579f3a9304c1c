import { exports } from "cloudflare:workers";
import { expect, it } from "vitest";

it("health returns ok", async () => {
  const response = await exports.default.fetch("http://edge.test/health");
  expect(response.status).toBe(200);
});
