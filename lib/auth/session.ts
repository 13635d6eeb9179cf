import { decode } from "next-auth/jwt";
import { db } from "../db";
import { authenticateApiKey } from "./apikeys";
import type { Actor, Role } from "./roles";
import { authSecret } from "./secret";

const SESSION_COOKIES = ["__Secure-next-auth.session-token", "next-auth.session-token"];

export function parseCookies(header: string | null | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i < 0) continue;
    const name = part.slice(0, i).trim();
    const value = part.slice(i + 1).trim();
    try {
      out.set(name, decodeURIComponent(value));
    } catch {
      out.set(name, value);
    }
  }
  return out;
}

/** The session token, joining the chunks next-auth writes when a token is large. */
export function sessionToken(cookies: Map<string, string>): string | null {
  for (const name of SESSION_COOKIES) {
    const whole = cookies.get(name);
    if (whole) return whole;
    const chunks: string[] = [];
    for (let i = 0; cookies.has(`${name}.${i}`); i++) chunks.push(cookies.get(`${name}.${i}`)!);
    if (chunks.length) return chunks.join("");
  }
  return null;
}

/** The user behind a session token; role and disabled state come from the database on every call. */
export async function actorFromSessionToken(token: string): Promise<Actor | null> {
  let payload: Awaited<ReturnType<typeof decode>>;
  try {
    payload = await decode({ token, secret: await authSecret() });
  } catch {
    return null;
  }
  const userId = payload?.sub;
  if (!userId) return null;
  const user = await db().user.findUnique({ where: { id: userId } });
  if (!user || user.disabled) return null;
  return { kind: "user", id: user.id, label: user.email, role: user.role as Role, userId: user.id };
}

export interface CredentialHeaders {
  authorization?: string | null;
  cookie?: string | null;
}

/**
 * Authenticates a request from its headers: `Authorization: Bearer <api key>` first, then the
 * session cookie. Returns null when neither identifies an active user or key.
 */
export async function authenticate(headers: CredentialHeaders): Promise<Actor | null> {
  const auth = headers.authorization?.trim();
  if (auth) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    // A present but unusable Authorization header is a failed login, not a fallback to cookies.
    return m ? authenticateApiKey(m[1]!) : null;
  }
  const token = sessionToken(parseCookies(headers.cookie));
  return token ? actorFromSessionToken(token) : null;
}
