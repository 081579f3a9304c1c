import { expect, it } from "vitest";
import { postJson } from "./client";

it("bench route is off by default", async () => {
  const response = await postJson("/__bench/inference?rows=1", {});
  expect(response.status).toBe(404);
});
