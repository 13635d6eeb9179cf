import { describe, expect, it } from "vitest";
import { authenticate, listAudit, setUserRole, verifyCredentials } from "@/lib/auth";
import { makeApiKey, makeUser } from "../support/factories";

describe("users and sign-in", () => {
  it("verifies the right password and refuses a wrong one", async () => {
    const { email, password } = await makeUser("editor");
    await expect(verifyCredentials(email, password)).resolves.toMatchObject({ email, role: "editor" });
    await expect(verifyCredentials(email, "wrong-password")).rejects.toMatchObject({ code: "unauthenticated" });
  });

  it("records a role change in the audit log", async () => {
    const admin = await makeUser("admin");
    const target = await makeUser("viewer");
    await setUserRole(admin.actor, target.user.id, "editor");
    const entries = await listAudit({ targetType: "user", targetId: target.user.id });
    expect(entries[0]).toMatchObject({ action: "user.role_change", actorLabel: admin.email, details: { from: "viewer", to: "editor" } });
  });
});

describe("API keys", () => {
  it("authenticates a bearer key with its role", async () => {
    const { key } = await makeApiKey("editor");
    await expect(authenticate({ authorization: `Bearer ${key}` })).resolves.toMatchObject({ kind: "apikey", role: "editor" });
    await expect(authenticate({ authorization: "Bearer mlops_unknown" })).resolves.toBeNull();
  });
});
