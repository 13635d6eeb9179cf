import { describe, expect, it } from "vitest";
import { authenticate, createApiKey, listAudit, setUserRole, verifyCredentials } from "@/lib/auth";
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

  it("narrows a key to its creator's current role when the creator is demoted", async () => {
    const creator = await makeUser("admin");
    const other = await makeUser("admin");
    const { key } = await createApiKey({ name: "ci", role: "editor" }, creator.actor);
    const bearer = { authorization: `Bearer ${key}` };
    await expect(authenticate(bearer)).resolves.toMatchObject({ role: "editor" });
    await setUserRole(other.actor, creator.user.id, "viewer");
    await expect(authenticate(bearer)).resolves.toMatchObject({ role: "viewer" });
    // Promoted again, the key gets back its own role and no more.
    await setUserRole(other.actor, creator.user.id, "admin");
    await expect(authenticate(bearer)).resolves.toMatchObject({ role: "editor" });
  });
});
