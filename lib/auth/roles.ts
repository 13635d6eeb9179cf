import { forbidden, unauthenticated } from "../errors";

export const ROLES = ["viewer", "editor", "admin"] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };

export function isRole(v: unknown): v is Role {
  return typeof v === "string" && (ROLES as readonly string[]).includes(v);
}

export function hasRole(actual: Role, required: Role): boolean {
  return RANK[actual] >= RANK[required];
}

/** Who is acting: a signed-in user or an API key (which carries its own role). */
export interface Actor {
  kind: "user" | "apikey";
  id: string;
  label: string;
  role: Role;
  userId: string | null;
}

export function requireRole(actor: Actor | null, required: Role): Actor {
  if (!actor) throw unauthenticated();
  if (!hasRole(actor.role, required)) {
    throw forbidden(`This needs the ${required} role; ${actor.label} is ${actor.role}`);
  }
  return actor;
}
