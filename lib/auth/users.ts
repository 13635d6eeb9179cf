import { randomBytes } from "node:crypto";
import { z } from "zod";
import { db, newId, transaction, type Tx } from "../db";
import { conflict, notFound, unauthenticated } from "../errors";
import { writeAudit } from "./audit";
import { hashPassword, verifyPassword } from "./passwords";
import { ROLES, type Actor, type Role, requireRole } from "./roles";

export interface UserInfo {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  disabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

export const emailSchema = z.string().trim().toLowerCase().email("Enter a valid email address");
export const passwordSchema = z.string().min(8, "Passwords have at least 8 characters").max(256);
export const roleSchema = z.enum(ROLES, { message: "Role is one of viewer, editor, admin" });

export const createUserInput = z.object({
  email: emailSchema,
  password: passwordSchema,
  role: roleSchema.default("viewer"),
  name: z.string().trim().max(200).optional(),
});

type UserRow = { id: string; email: string; name: string | null; role: string; disabled: boolean; createdAt: Date; lastLoginAt: Date | null };

function toInfo(u: UserRow): UserInfo {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role as Role,
    disabled: u.disabled,
    createdAt: u.createdAt.toISOString(),
    lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
  };
}

/** Creates a user. `actor` null means the system (CLI, first start). */
export async function createUser(input: z.input<typeof createUserInput>, actor: Actor | null): Promise<UserInfo> {
  if (actor) requireRole(actor, "admin");
  const data = createUserInput.parse(input);
  const passwordHash = await hashPassword(data.password);
  return transaction(async (tx) => {
    if (await tx.user.findUnique({ where: { email: data.email } })) {
      throw conflict(`A user with email ${data.email} already exists`);
    }
    const user = await tx.user.create({
      data: { id: newId(), email: data.email, name: data.name ?? null, passwordHash, role: data.role },
    });
    await writeAudit(tx, actor, "user.create", { type: "user", id: user.id }, { email: user.email, role: user.role });
    return toInfo(user);
  });
}

export async function listUsers(actor: Actor): Promise<UserInfo[]> {
  requireRole(actor, "admin");
  const rows = await db().user.findMany({ orderBy: { createdAt: "asc" } });
  return rows.map(toInfo);
}

export async function getUser(id: string): Promise<UserInfo | null> {
  const u = await db().user.findUnique({ where: { id } });
  return u ? toInfo(u) : null;
}

async function countActiveAdmins(tx: Tx) {
  return tx.user.count({ where: { role: "admin", disabled: false } });
}

export async function setUserRole(actor: Actor, userId: string, role: Role): Promise<UserInfo> {
  return updateUser(actor, userId, { role });
}

export async function setUserDisabled(actor: Actor, userId: string, disabled: boolean): Promise<UserInfo> {
  return updateUser(actor, userId, { disabled });
}

/**
 * Changes a user's role and/or disabled flag in one transaction: either both changes land or
 * neither does, and the last active admin can be neither demoted nor disabled.
 */
export async function updateUser(actor: Actor, userId: string, change: { role?: Role; disabled?: boolean }): Promise<UserInfo> {
  requireRole(actor, "admin");
  const role = change.role === undefined ? undefined : roleSchema.parse(change.role);
  return transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId } });
    if (!user) throw notFound("User", userId);
    const newRole = role !== undefined && role !== user.role ? role : undefined;
    const newDisabled = change.disabled !== undefined && change.disabled !== user.disabled ? change.disabled : undefined;
    if (newRole === undefined && newDisabled === undefined) return toInfo(user);
    const wasActiveAdmin = user.role === "admin" && !user.disabled;
    const staysActiveAdmin = (newRole ?? user.role) === "admin" && !(newDisabled ?? user.disabled);
    if (wasActiveAdmin && !staysActiveAdmin && (await countActiveAdmins(tx)) <= 1) {
      throw conflict(
        newRole !== undefined
          ? "This is the last active admin; make another user admin first"
          : "This is the last active admin; it cannot be disabled",
      );
    }
    const updated = await tx.user.update({
      where: { id: userId },
      data: { ...(newRole !== undefined ? { role: newRole } : {}), ...(newDisabled !== undefined ? { disabled: newDisabled } : {}) },
    });
    if (newRole !== undefined) {
      await writeAudit(tx, actor, "user.role_change", { type: "user", id: userId }, { email: user.email, from: user.role, to: newRole });
    }
    if (newDisabled !== undefined) {
      await writeAudit(tx, actor, newDisabled ? "user.disable" : "user.enable", { type: "user", id: userId }, { email: user.email });
    }
    return toInfo(updated);
  });
}

/** Email + password sign-in. The same message for every failure, so it tells an attacker nothing. */
export async function verifyCredentials(email: string, password: string): Promise<UserInfo> {
  const parsed = emailSchema.safeParse(email);
  const fail = unauthenticated("Wrong email or password, or the account is disabled");
  if (!parsed.success || typeof password !== "string") throw fail;
  const user = await db().user.findUnique({ where: { email: parsed.data } });
  if (!user || !user.passwordHash || user.disabled) throw fail;
  if (!(await verifyPassword(user.passwordHash, password))) throw fail;
  const updated = await db().user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
  return toInfo(updated);
}

/** Links an OAuth identity to a user (created with the default role on first sign-in). */
export async function upsertOAuthUser(
  provider: string,
  providerAccountId: string,
  email: string,
  name: string | null,
  defaultRole: Role,
): Promise<UserInfo> {
  const mail = emailSchema.parse(email);
  return transaction(async (tx) => {
    const link = await tx.oAuthAccount.findUnique({
      where: { provider_providerAccountId: { provider, providerAccountId } },
      include: { user: true },
    });
    let user = link?.user ?? (await tx.user.findUnique({ where: { email: mail } }));
    if (!user) {
      user = await tx.user.create({ data: { id: newId(), email: mail, name, role: defaultRole } });
      await writeAudit(tx, null, "user.create", { type: "user", id: user.id }, { email: mail, role: defaultRole, provider });
    }
    if (user.disabled) throw unauthenticated("This account is disabled");
    if (!link) await tx.oAuthAccount.create({ data: { provider, providerAccountId, userId: user.id } });
    return toInfo(await tx.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } }));
  });
}

/**
 * First start: when there are no users, create the first admin from ADMIN_EMAIL/ADMIN_PASSWORD,
 * else with a generated password that the caller prints once.
 */
export async function ensureFirstAdmin(
  email: string | undefined,
  password: string | undefined,
): Promise<{ created: false } | { created: true; email: string; password: string; generated: boolean }> {
  if ((await db().user.count()) > 0) return { created: false };
  const mail = email ?? "admin@mlops.local";
  const generated = !password;
  const pw = password ?? randomBytes(12).toString("base64url");
  try {
    await createUser({ email: mail, password: pw, role: "admin", name: "Administrator" }, null);
  } catch (err) {
    // Another process (a second replica) created it first.
    if ((err as { code?: string }).code === "conflict") return { created: false };
    throw err;
  }
  return { created: true, email: mail, password: pw, generated };
}

