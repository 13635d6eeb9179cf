import { describe, expect, it } from "vitest";
import { timeOrderedId } from "@/lib/db";

describe("timeOrderedId", () => {
  it("is a version-7 UUID carrying the time in its first 48 bits", () => {
    const now = Date.UTC(2026, 10, 26, 12, 0, 0, 123);
    const id = timeOrderedId(now);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(now);
  });

  it("sorts by creation time and stays unique within a millisecond", () => {
    const ids = [timeOrderedId(1_000), timeOrderedId(2_000), timeOrderedId(1_000_000_000_000)];
    expect([...ids].sort()).toEqual(ids);
    const same = new Set(Array.from({ length: 10_000 }, () => timeOrderedId(5)));
    expect(same.size).toBe(10_000);
  });
});
