import { requireRole, type Actor } from "../auth";
import { enqueue } from "./queue";
import { MAINTENANCE_JOB } from "./maintenance";
import type { JobInfo } from "./types";

/** Starts a cleanup now (admins); the worker also schedules it daily. */
export function startMaintenance(actor: Actor, payload: { retentionDays?: number } = {}): Promise<JobInfo> {
  requireRole(actor, "admin");
  return enqueue(MAINTENANCE_JOB, payload, { createdById: actor.userId, maxAttempts: 3 });
}
