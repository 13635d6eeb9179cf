// A model's monitor: schedule, report settings, webhook and retraining policy (ModelMonitor row).
import { CronExpressionParser } from "cron-parser";
import { requireRole, writeAudit, type Actor } from "../auth";
import { db, parseJson, transaction } from "../db";
import { notFound } from "../errors";
import {
  monitorConfigSchema,
  monitorInputSchema,
  readConfig,
  readPolicy,
  retrainPolicySchema,
  type MonitorConfig,
  type MonitorInput,
  type RetrainPolicy,
} from "./config";
import { parseInput } from "./parse";
import { scheduleKey } from "./schedule-state";

export interface MonitorInfo {
  model: string;
  model_id: string;
  /** Whether a monitor row exists; a model without one is shown with the defaults. */
  configured: boolean;
  schedule: string | null;
  next_run_at: string | null;
  config: MonitorConfig;
  retrain_policy: RetrainPolicy;
  webhook_url: string | null;
  /** The secret itself is never returned. */
  webhook_secret_set: boolean;
  updated_at: string | null;
}

export async function modelByName(name: string): Promise<{ id: string; name: string }> {
  const m = await db().registeredModel.findUnique({ where: { name }, select: { id: true, name: true } });
  if (!m) throw notFound("Registered model", name);
  return m;
}

type MonitorRow = NonNullable<Awaited<ReturnType<ReturnType<typeof db>["modelMonitor"]["findUnique"]>>>;

export function nextRun(schedule: string | null, after: Date): Date | null {
  if (!schedule) return null;
  try {
    return CronExpressionParser.parse(schedule, { currentDate: after, tz: "UTC" }).next().toDate();
  } catch {
    return null;
  }
}

function toInfo(model: { id: string; name: string }, row: MonitorRow | null, lastSlot: Date | null): MonitorInfo {
  return {
    model: model.name,
    model_id: model.id,
    configured: row !== null,
    schedule: row?.schedule ?? null,
    next_run_at: row?.schedule ? (nextRun(row.schedule, lastSlot ?? row.updatedAt)?.toISOString() ?? null) : null,
    config: readConfig(parseJson(row?.config, {})),
    retrain_policy: readPolicy(parseJson(row?.retrainPolicy, {})),
    webhook_url: row?.webhookUrl ?? null,
    webhook_secret_set: Boolean(row?.webhookSecret),
    updated_at: row?.updatedAt.toISOString() ?? null,
  };
}

async function lastSlot(modelId: string): Promise<Date | null> {
  const s = await db().setting.findUnique({ where: { key: scheduleKey(modelId) } });
  const d = s ? new Date(s.value) : null;
  return d && !Number.isNaN(d.getTime()) ? d : null;
}

export async function getMonitor(name: string): Promise<MonitorInfo> {
  const model = await modelByName(name);
  const row = await db().modelMonitor.findUnique({ where: { modelId: model.id } });
  return toInfo(model, row, await lastSlot(model.id));
}

/** The monitor row (or null) by model id, for jobs. */
export async function monitorRow(modelId: string): Promise<MonitorRow | null> {
  return db().modelMonitor.findUnique({ where: { modelId } });
}

export async function listMonitors(): Promise<MonitorInfo[]> {
  const rows = await db().modelMonitor.findMany({ include: { model: { select: { id: true, name: true } } } });
  const slots = await db().setting.findMany({ where: { key: { in: rows.map((r) => scheduleKey(r.modelId)) } } });
  const byKey = new Map(slots.map((s) => [s.key, new Date(s.value)]));
  return rows.map((r) => toInfo(r.model, r, byKey.get(scheduleKey(r.modelId)) ?? null)).sort((a, b) => a.model.localeCompare(b.model));
}

/** Creates or updates the model's monitor (editor). Fields left out keep their value. */
export async function upsertMonitor(actor: Actor, name: string, input: MonitorInput): Promise<MonitorInfo> {
  requireRole(actor, "editor");
  const body = parseInput(monitorInputSchema, input, "monitor");
  const model = await modelByName(name);
  await transaction(async (tx) => {
    const existing = await tx.modelMonitor.findUnique({ where: { modelId: model.id } });
    const data = {
      schedule: body.schedule === undefined ? (existing?.schedule ?? null) : body.schedule,
      config: JSON.stringify(body.config ?? readConfig(parseJson(existing?.config, {}))),
      retrainPolicy: JSON.stringify(body.retrain_policy ?? readPolicy(parseJson(existing?.retrainPolicy, {}))),
      webhookUrl: body.webhook_url === undefined ? (existing?.webhookUrl ?? null) : body.webhook_url,
      webhookSecret: body.webhook_secret === undefined ? (existing?.webhookSecret ?? null) : body.webhook_secret,
    };
    await tx.modelMonitor.upsert({ where: { modelId: model.id }, create: { modelId: model.id, ...data }, update: data });
    if (body.schedule !== undefined && body.schedule !== existing?.schedule) {
      // A new schedule counts from now: no burst of reports for slots that passed under the old one.
      const now = new Date().toISOString();
      await tx.setting.upsert({ where: { key: scheduleKey(model.id) }, create: { key: scheduleKey(model.id), value: now }, update: { value: now } });
    }
    await writeAudit(tx, actor, "monitor.update", { type: "model", id: model.id }, {
      model: model.name,
      fields: Object.keys(body).map((k) => (k === "webhook_secret" ? "webhook_secret (not logged)" : k)),
    });
  });
  return getMonitor(name);
}

export async function deleteMonitor(actor: Actor, name: string): Promise<void> {
  requireRole(actor, "editor");
  const model = await modelByName(name);
  await transaction(async (tx) => {
    const { count } = await tx.modelMonitor.deleteMany({ where: { modelId: model.id } });
    if (count === 0) throw notFound("Monitor of model", name);
    await tx.setting.deleteMany({ where: { key: scheduleKey(model.id) } });
    await writeAudit(tx, actor, "monitor.delete", { type: "model", id: model.id }, { model: model.name });
  });
}

// Re-exported for callers that validate before calling upsertMonitor (routes, forms).
export { monitorConfigSchema, retrainPolicySchema };
