import { db, newId, parseJson, type Tx } from "../db";
import type { Actor } from "./roles";

export interface AuditEntry {
  id: string;
  at: string;
  actorId: string | null;
  actorLabel: string;
  action: string;
  targetType: string;
  targetId: string;
  details: Record<string, unknown>;
}

/**
 * Written inside the caller's transaction so the audit row and the change land together.
 * `systemLabel` names a null actor (e.g. "cli"); it defaults to "system".
 */
export async function writeAudit(
  tx: Tx,
  actor: Actor | null,
  action: string,
  target: { type: string; id: string },
  details: Record<string, unknown> = {},
  systemLabel = "system",
): Promise<void> {
  await tx.auditLog.create({
    data: {
      id: newId(),
      actorId: actor?.userId ?? actor?.id ?? null,
      actorLabel: actor?.label ?? systemLabel,
      action,
      targetType: target.type,
      targetId: target.id,
      details: JSON.stringify(details),
    },
  });
}

export async function listAudit(opts: { limit?: number; targetType?: string; targetId?: string } = {}): Promise<
  AuditEntry[]
> {
  const rows = await db().auditLog.findMany({
    where: { targetType: opts.targetType, targetId: opts.targetId },
    orderBy: { at: "desc" },
    take: Math.min(opts.limit ?? 100, 1000),
  });
  return rows.map((r) => ({
    id: r.id,
    at: r.at.toISOString(),
    actorId: r.actorId,
    actorLabel: r.actorLabel,
    action: r.action,
    targetType: r.targetType,
    targetId: r.targetId,
    details: parseJson(r.details, {}),
  }));
}
