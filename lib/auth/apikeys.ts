import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { db, newId, transaction } from "../db";
import { notFound } from "../errors";
import { writeAudit } from "./audit";
import { roleSchema } from "./users";
import { type Actor, type Role, hasRole, isRole, requireRole } from "./roles";

export interface ApiKeyInfo {
  id: string;
  name: string;
  prefix: string;
  role: Role;
  createdBy: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export const createApiKeyInput = z.object({
  name: z.string().trim().min(1, "Give the key a name").max(100),
  role: roleSchema,
});

const KEY_PREFIX = "mlops_";
// lastUsedAt is refreshed at most this often: predict traffic must not write a row per request.
const LAST_USED_RESOLUTION_MS = 60_000;

function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

type Row = {
  id: string;
  name: string;
  prefix: string;
  role: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdBy?: { email: string } | null;
};

function toInfo(k: Row): ApiKeyInfo {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    role: k.role as Role,
    createdBy: k.createdBy?.email ?? null,
    createdAt: k.createdAt.toISOString(),
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
  };
}

/** Creates a key; the plaintext is returned once and only its SHA-256 is stored. `actor` null = CLI. */
export async function createApiKey(
  input: z.input<typeof createApiKeyInput>,
  actor: Actor | null,
): Promise<{ key: string; info: ApiKeyInfo }> {
  if (actor) requireRole(actor, "admin");
  const data = createApiKeyInput.parse(input);
  const key = KEY_PREFIX + randomBytes(32).toString("base64url");
  return transaction(async (tx) => {
    const row = await tx.apiKey.create({
      data: {
        id: newId(),
        name: data.name,
        prefix: key.slice(0, KEY_PREFIX.length + 6),
        hash: hashKey(key),
        role: data.role,
        createdById: actor?.userId ?? null,
      },
      include: { createdBy: { select: { email: true } } },
    });
    await writeAudit(tx, actor, "apikey.create", { type: "apikey", id: row.id }, { name: row.name, role: row.role });
    return { key, info: toInfo(row) };
  });
}

export async function listApiKeys(actor: Actor): Promise<ApiKeyInfo[]> {
  requireRole(actor, "admin");
  const rows = await db().apiKey.findMany({
    orderBy: { createdAt: "desc" },
    include: { createdBy: { select: { email: true } } },
  });
  return rows.map(toInfo);
}

export async function revokeApiKey(actor: Actor, id: string): Promise<ApiKeyInfo> {
  requireRole(actor, "admin");
  return transaction(async (tx) => {
    const row = await tx.apiKey.findUnique({ where: { id } });
    if (!row) throw notFound("API key", id);
    if (row.revokedAt) return toInfo(row);
    const updated = await tx.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
    await writeAudit(tx, actor, "apikey.revoke", { type: "apikey", id }, { name: row.name });
    return toInfo(updated);
  });
}

const lowerRole = (a: Role, b: Role): Role => (hasRole(a, b) ? b : a);

/**
 * Resolves a bearer key to an actor, or null for unknown and revoked keys and for keys whose
 * creator has been disabled (disabling a person must also stop the keys they made). A key acts
 * with the lower of its own role and its creator's current one: demoting a person also narrows
 * the keys they made (keys made from the CLI have no creator and keep their role).
 */
export async function authenticateApiKey(key: string): Promise<Actor | null> {
  if (!key.startsWith(KEY_PREFIX) || key.length > 200) return null;
  const row = await db().apiKey.findUnique({ where: { hash: hashKey(key) }, include: { createdBy: { select: { disabled: true, role: true } } } });
  if (!row || row.revokedAt || row.createdBy?.disabled) return null;
  const role = row.createdBy && isRole(row.createdBy.role) ? lowerRole(row.role as Role, row.createdBy.role) : (row.role as Role);
  const now = Date.now();
  if (!row.lastUsedAt || now - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await db().apiKey.update({ where: { id: row.id }, data: { lastUsedAt: new Date(now) } });
  }
  return { kind: "apikey", id: row.id, label: `apikey:${row.name}`, role, userId: row.createdById };
}
