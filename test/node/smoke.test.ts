import { expect, it } from "vitest";
it("node project runs", () => { expect(1 + 1).toBe(2); });
