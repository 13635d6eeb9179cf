import "server-only";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { authenticate, hasRole, type Actor, type Role } from "@/lib/auth";

/** The signed-in user of this request, or null. */
export async function currentActor(): Promise<Actor | null> {
  const [c, h] = await Promise.all([cookies(), headers()]);
  return authenticate({ cookie: c.toString(), authorization: h.get("authorization") });
}

/** For pages: redirects to sign-in when nobody is signed in. */
export async function requirePageActor(): Promise<Actor> {
  const actor = await currentActor();
  if (!actor) {
    const path = (await headers()).get("x-mlops-path");
    redirect(path && path.startsWith("/") && !path.startsWith("//") ? `/signin?callbackUrl=${encodeURIComponent(path)}` : "/signin");
  }
  return actor;
}

export function can(actor: Actor, role: Role): boolean {
  return hasRole(actor.role, role);
}
