import { randomBytes } from "node:crypto";
import { config } from "../config";
import { db } from "../db";

let cached: string | null = null;

/**
 * The key that signs session tokens: NEXTAUTH_SECRET when set, else one generated at first start
 * and kept in the database, so restarts and replicas agree without configuration.
 */
export async function authSecret(): Promise<string> {
  if (cached) return cached;
  const fromEnv = config().NEXTAUTH_SECRET;
  if (fromEnv) return (cached = fromEnv);
  const key = "auth.secret";
  const existing = await db().setting.findUnique({ where: { key } });
  if (existing) return (cached = existing.value);
  const value = randomBytes(32).toString("base64url");
  try {
    await db().setting.create({ data: { key, value } });
    return (cached = value);
  } catch {
    // Lost a race with another process: use the stored one.
    const row = await db().setting.findUniqueOrThrow({ where: { key } });
    return (cached = row.value);
  }
}
