// Small helpers that create uniquely named test data.
import { randomUUID } from "node:crypto";
import { createApiKey, createUser, type Actor, type Role } from "@/lib/auth";

export const uid = () => randomUUID().slice(0, 8);

export async function makeUser(role: Role, password = "password-123") {
  const email = `${role}-${uid()}@example.com`;
  const user = await createUser({ email, password, role }, null);
  const actor: Actor = { kind: "user", id: user.id, label: email, role, userId: user.id };
  return { user, actor, email, password };
}

export async function makeApiKey(role: Role) {
  const { key, info } = await createApiKey({ name: `key-${uid()}`, role }, null);
  return { key, info };
}
