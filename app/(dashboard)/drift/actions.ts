"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/app/_server/action";
import { acknowledgeAlert, monitorInputSchema, requestDriftReport, upsertMonitor } from "@/lib/monitoring";
import { modelNameSchema } from "@/lib/registry";

/** Marks an alert as seen (editor); the audit log records who. */
export const acknowledgeAlertAction = action("editor", z.object({ id: z.string().min(1) }), async ({ id }, actor) => {
  const a = await acknowledgeAlert(actor, id);
  revalidatePath("/drift");
  return { id: a.id, acknowledged_at: a.acknowledged_at };
});

/** Queues a drift report over the monitor's window. */
export const runReportAction = action("editor", z.object({ model: modelNameSchema }), async ({ model }, actor) => {
  const job = await requestDriftReport(actor, model, {});
  return { jobId: job.id };
});

/** Saves the monitor settings form. */
export const saveMonitorAction = action("editor", z.object({ model: modelNameSchema, monitor: monitorInputSchema }), async ({ model, monitor }, actor) => {
  const m = await upsertMonitor(actor, model, monitor);
  revalidatePath(`/drift/${encodeURIComponent(model)}`);
  return { schedule: m.schedule, next_run_at: m.next_run_at };
});
