// Alerts: stored in the app (Alert rows, acknowledged from the dashboard or the API) and, when the
// model's monitor has a webhook, POSTed to it by a `drift.webhook` job (retried with backoff).
import { createHmac } from "node:crypto";
import { requireRole, writeAudit, type Actor } from "../auth";
import { db, newId, parseJson, transaction } from "../db";
import { notFound } from "../errors";
import { enqueue, PermanentJobError, type JobContext } from "../jobs";
import { logger } from "../observability";

export const WEBHOOK_JOB = "drift.webhook";
/** Attempts of one delivery: 2 s, 4 s, 8 s, 16 s, 32 s, 64 s apart (the queue's backoff). */
export const WEBHOOK_ATTEMPTS = 7;
export const SIGNATURE_HEADER = "x-mlops-signature";
const TIMEOUT_MS = 10_000;

export type AlertKind = "drift" | "performance" | "retrain";
export type AlertSeverity = "info" | "warning" | "error";

export interface AlertInfo {
  id: string;
  model: string | null;
  model_id: string | null;
  kind: string;
  severity: string;
  message: string;
  details: Record<string, unknown>;
  created_at: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
}

type AlertRow = Awaited<ReturnType<ReturnType<typeof db>["alert"]["findUniqueOrThrow"]>>;

function toInfo(r: AlertRow, names: ReadonlyMap<string, string>): AlertInfo {
  return {
    id: r.id,
    model: r.modelId ? (names.get(r.modelId) ?? null) : null,
    model_id: r.modelId,
    kind: r.kind,
    severity: r.severity,
    message: r.message,
    details: parseJson(r.details, {}),
    created_at: r.createdAt.toISOString(),
    acknowledged_at: r.acknowledgedAt?.toISOString() ?? null,
    acknowledged_by: r.acknowledgedById,
  };
}

async function modelNames(ids: (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((i): i is string => Boolean(i)))];
  if (!wanted.length) return new Map();
  const rows = await db().registeredModel.findMany({ where: { id: { in: wanted } }, select: { id: true, name: true } });
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** HMAC-SHA256 of the exact body bytes with the monitor's secret, as sent in X-Mlops-Signature. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body, "utf8").digest("hex")}`;
}

/** Stores the alert and queues its webhook delivery when the model's monitor has a URL. */
export async function raiseAlert(input: {
  modelId: string;
  kind: AlertKind;
  severity?: AlertSeverity;
  message: string;
  details?: Record<string, unknown>;
}): Promise<AlertInfo> {
  const row = await db().alert.create({
    data: {
      id: newId(),
      modelId: input.modelId,
      kind: input.kind,
      severity: input.severity ?? "warning",
      message: input.message.slice(0, 2000),
      details: JSON.stringify(input.details ?? {}),
    },
  });
  const names = await modelNames([input.modelId]);
  const alert = toInfo(row, names);
  const monitor = await db().modelMonitor.findUnique({ where: { modelId: input.modelId }, select: { webhookUrl: true } });
  if (monitor?.webhookUrl) {
    // The body is fixed now, so every retry sends the same bytes under the same signature.
    const body = JSON.stringify({ event: `alert.${alert.kind}`, alert });
    await enqueue(WEBHOOK_JOB, { alertId: alert.id, modelId: input.modelId, body }, { maxAttempts: WEBHOOK_ATTEMPTS, priority: 5 });
  }
  return alert;
}

export async function listAlerts(opts: { model?: string; open?: boolean; kind?: string; limit?: number } = {}): Promise<AlertInfo[]> {
  let modelId: string | undefined;
  if (opts.model) {
    const m = await db().registeredModel.findUnique({ where: { name: opts.model }, select: { id: true } });
    if (!m) throw notFound("Registered model", opts.model);
    modelId = m.id;
  }
  const rows = await db().alert.findMany({
    where: { modelId, kind: opts.kind, ...(opts.open ? { acknowledgedAt: null } : {}) },
    orderBy: { createdAt: "desc" },
    take: Math.min(Math.max(opts.limit ?? 100, 1), 500),
  });
  const names = await modelNames(rows.map((r) => r.modelId));
  return rows.map((r) => toInfo(r, names));
}

export async function acknowledgeAlert(actor: Actor, id: string): Promise<AlertInfo> {
  requireRole(actor, "editor");
  const row = await transaction(async (tx) => {
    const existing = await tx.alert.findUnique({ where: { id } });
    if (!existing) throw notFound("Alert", id);
    if (existing.acknowledgedAt) return existing; // idempotent: the first acknowledgement stands
    const updated = await tx.alert.update({ where: { id }, data: { acknowledgedAt: new Date(), acknowledgedById: actor.userId ?? actor.id } });
    await writeAudit(tx, actor, "alert.acknowledge", { type: "alert", id }, { kind: existing.kind, modelId: existing.modelId });
    return updated;
  });
  return toInfo(row, await modelNames([row.modelId]));
}

/**
 * The `drift.webhook` job: POSTs the alert with its HMAC signature. 2xx delivers; a network error,
 * a timeout, 408, 429 or 5xx is retried by the queue with backoff; any other status is final.
 */
export async function webhookJobHandler(ctx: JobContext): Promise<{ status: number; url: string } | { skipped: string }> {
  const p = (ctx.job.payload ?? {}) as { alertId?: string; modelId?: string; body?: string };
  if (typeof p.body !== "string" || typeof p.modelId !== "string") throw new PermanentJobError("Webhook job without an alert body");
  const monitor = await db().modelMonitor.findUnique({ where: { modelId: p.modelId }, select: { webhookUrl: true, webhookSecret: true } });
  // Read at delivery time: a webhook removed since the alert is not called; a changed secret signs with the new one.
  if (!monitor?.webhookUrl) return { skipped: "the monitor has no webhook any more" };
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "mlops-webhook/1",
    "x-mlops-event": "alert",
    "x-mlops-delivery": p.alertId ?? ctx.job.id,
    "x-mlops-attempt": String(ctx.job.attempts),
  };
  if (monitor.webhookSecret) headers[SIGNATURE_HEADER] = signBody(p.body, monitor.webhookSecret);
  let res: Response;
  try {
    res = await fetch(monitor.webhookUrl, { method: "POST", headers, body: p.body, signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(TIMEOUT_MS)]), redirect: "manual" });
    await res.arrayBuffer().catch(() => undefined);
  } catch (err) {
    throw new Error(`Webhook ${monitor.webhookUrl} did not answer: ${(err as Error).message}`);
  }
  if (res.status >= 200 && res.status < 300) return { status: res.status, url: monitor.webhookUrl };
  const message = `Webhook ${monitor.webhookUrl} answered ${res.status}`;
  if (res.status === 408 || res.status === 429 || res.status >= 500) {
    logger().warn({ alertId: p.alertId, status: res.status, attempt: ctx.job.attempts }, "webhook delivery failed; retrying");
    throw new Error(message);
  }
  throw new PermanentJobError(`${message}; not retried`);
}
