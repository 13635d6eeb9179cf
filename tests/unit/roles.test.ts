import { describe, expect, it } from "vitest";
import { hasRole, isRole, requireRole, ROLES, type Actor, type Role } from "@/lib/auth/roles";
import { AppError } from "@/lib/errors";

const actor = (role: Role): Actor => ({ kind: "user", id: "u1", label: "ann@example.com", role, userId: "u1" });

describe("hasRole", () => {
  it.each<[Role, Role, boolean]>([
    ["viewer", "viewer", true],
    ["viewer", "editor", false],
    ["viewer", "admin", false],
    ["editor", "viewer", true],
    ["editor", "editor", true],
    ["editor", "admin", false],
    ["admin", "viewer", true],
    ["admin", "editor", true],
    ["admin", "admin", true],
  ])("%s has %s: %s", (actual, required, expected) => {
    expect(hasRole(actual, required)).toBe(expected);
  });

  it("does not grant anything to an unknown role", () => {
    expect(hasRole("superuser" as Role, "viewer")).toBe(false);
  });
});

describe("isRole", () => {
  it("accepts exactly the three roles", () => {
    for (const r of ROLES) expect(isRole(r)).toBe(true);
    for (const v of ["Admin", "owner", "", null, undefined, 2]) expect(isRole(v)).toBe(false);
  });
});

describe("requireRole", () => {
  it("returns the actor when the role is enough", () => {
    const a = actor("editor");
    expect(requireRole(a, "viewer")).toBe(a);
    expect(requireRole(a, "editor")).toBe(a);
  });

  it("refuses a missing actor as unauthenticated (401)", () => {
    const err = captured(() => requireRole(null, "viewer"));
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: "unauthenticated", status: 401 });
  });

  it("refuses a too-low role as forbidden (403), naming the role needed", () => {
    const err = captured(() => requireRole(actor("viewer"), "admin"));
    expect(err).toMatchObject({ code: "forbidden", status: 403 });
    expect((err as Error).message).toContain("admin");
    expect((err as Error).message).toContain("ann@example.com");
  });
});

function captured(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected a throw");
}
