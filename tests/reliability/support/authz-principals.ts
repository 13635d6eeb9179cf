// The callers of the authorization matrix: nobody, a signed-in user of each role, an API key of each
// role, and two that must count as nobody: a disabled user's session and a key made by a since
// disabled admin.
import { encode } from "next-auth/jwt";
import { authSecret, createApiKey, setUserDisabled, type Role } from "@/lib/auth";
import { makeApiKey, makeUser, uid } from "../../support/factories";

export interface Principal {
  name: string;
  /** null: must be refused as unauthenticated. */
  role: Role | null;
  headers: Record<string, string>;
}

export async function sessionCookie(userId: string): Promise<string> {
  const token = await encode({ token: { sub: userId }, secret: await authSecret() });
  return `next-auth.session-token=${token}`;
}

const ROLES: Role[] = ["viewer", "editor", "admin"];

export async function makePrincipals(): Promise<Principal[]> {
  const out: Principal[] = [{ name: "anonymous", role: null, headers: {} }];
  for (const role of ROLES) {
    const { user } = await makeUser(role);
    out.push({ name: `${role} session`, role, headers: { cookie: await sessionCookie(user.id) } });
  }
  for (const role of ROLES) {
    const { key } = await makeApiKey(role);
    out.push({ name: `${role} API key`, role, headers: { authorization: `Bearer ${key}` } });
  }
  const boss = await makeUser("admin");
  const gone = await makeUser("admin");
  out.push({ name: "disabled admin's session", role: null, headers: { cookie: await sessionCookie(gone.user.id) } });
  const { key } = await createApiKey({ name: `authz-${uid()}`, role: "admin" }, gone.actor);
  out.push({ name: "API key of a disabled admin", role: null, headers: { authorization: `Bearer ${key}` } });
  await setUserDisabled(boss.actor, gone.user.id, true);
  return out;
}

/** An admin session, for the bad-input corpus. */
export async function adminHeaders(): Promise<Record<string, string>> {
  const { user } = await makeUser("admin");
  return { cookie: await sessionCookie(user.id) };
}
