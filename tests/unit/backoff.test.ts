import { describe, expect, it } from "vitest";
import { backoffMs } from "@/lib/jobs";

describe("backoffMs", () => {
  it("doubles from 2 s per failed attempt", () => {
    expect([1, 2, 3, 4, 5].map(backoffMs)).toEqual([2_000, 4_000, 8_000, 16_000, 32_000]);
  });

  it("is capped at 5 minutes", () => {
    expect(backoffMs(9)).toBe(300_000);
    expect(backoffMs(100)).toBe(300_000);
  });

  it("treats attempt 0 or less like the first attempt", () => {
    expect(backoffMs(0)).toBe(2_000);
    expect(backoffMs(-3)).toBe(2_000);
  });
});
