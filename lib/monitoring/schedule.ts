// Scheduled drift reports. Every worker ticks; a monitor's due slot is claimed by compare-and-set
// on its Setting row (the last slot enqueued), so a slot is enqueued once however many workers
// tick at the same moment. Slots missed while no worker ran collapse into one report.
import { CronExpressionParser } from "cron-parser";
import { db } from "../db";
import { enqueue } from "../jobs";
import { logger } from "../observability";
import { DRIFT_REPORT_JOB } from "./reports";
import { scheduleKey } from "./schedule-state";

const TICK_MS = 30_000;
/** Cron iterations looked at per tick while catching up (a minutely schedule after a long outage). */
const MAX_CATCH_UP = 10_000;

/** The newest slot of `expr` in (after, now], or null. */
export function dueSlot(expr: string, after: Date, now: Date): Date | null {
  let it;
  try {
    it = CronExpressionParser.parse(expr, { currentDate: after, endDate: now, tz: "UTC" });
  } catch {
    return null;
  }
  let due: Date | null = null;
  for (let i = 0; i < MAX_CATCH_UP && it.hasNext(); i++) due = it.next().toDate();
  return due && due.getTime() <= now.getTime() ? due : null;
}

async function claimSlot(modelId: string, previous: string | null, slot: string): Promise<boolean> {
  const key = scheduleKey(modelId);
  if (previous === null) {
    try {
      await db().setting.create({ data: { key, value: slot } });
      return true;
    } catch {
      return false;
    }
  }
  const { count } = await db().setting.updateMany({ where: { key, value: previous }, data: { value: slot } });
  return count === 1;
}

/** One pass over the scheduled monitors; returns the jobs it enqueued. */
export async function tickMonitorSchedules(now = new Date()): Promise<{ modelId: string; slot: string; jobId: string }[]> {
  const monitors = await db().modelMonitor.findMany({ where: { schedule: { not: null } }, select: { modelId: true, schedule: true, updatedAt: true } });
  if (!monitors.length) return [];
  const states = await db().setting.findMany({ where: { key: { in: monitors.map((m) => scheduleKey(m.modelId)) } } });
  const last = new Map(states.map((s) => [s.key, s.value]));
  const out: { modelId: string; slot: string; jobId: string }[] = [];
  for (const m of monitors) {
    const previous = last.get(scheduleKey(m.modelId)) ?? null;
    const after = previous && !Number.isNaN(Date.parse(previous)) ? new Date(previous) : m.updatedAt;
    const slot = dueSlot(m.schedule!, after, now);
    if (!slot) continue;
    const iso = slot.toISOString();
    if (!(await claimSlot(m.modelId, previous, iso))) continue;
    try {
      const job = await enqueue(DRIFT_REPORT_JOB, { modelId: m.modelId, trigger: "schedule", slot: iso }, { maxAttempts: 2 });
      out.push({ modelId: m.modelId, slot: iso, jobId: job.id });
    } catch (err) {
      // Give the slot back so the next tick retries it.
      await db().setting.updateMany({ where: { key: scheduleKey(m.modelId), value: iso }, data: { value: previous ?? after.toISOString() } }).catch(() => undefined);
      logger().warn({ err, modelId: m.modelId }, "could not enqueue a scheduled drift report");
    }
  }
  return out;
}

/** Ticks every 30 s in a worker; returns a stop function. */
export function startMonitorScheduler(everyMs = TICK_MS): () => void {
  const tick = () => {
    tickMonitorSchedules().catch((err) => logger().warn({ err }, "drift schedule tick failed"));
  };
  const first = setTimeout(tick, Math.min(5_000, everyMs));
  const timer = setInterval(tick, everyMs);
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
