"use server";

import { z } from "zod";
import { action } from "@/app/_server/action";
import { cancelJob } from "@/lib/jobs";
import { startMaintenance } from "@/lib/jobs/actions";

export const cancelJobAction = action("editor", z.object({ id: z.string().min(1).max(100) }), async ({ id }) => {
  const job = await cancelJob(id);
  return { id: job.id, state: job.state, cancelRequested: job.cancelRequested };
});

// Takes no input: anything sent is refused rather than ignored.
export const runCleanupAction = action("admin", z.object({}).strict(), async (_input, actor) => {
  const job = await startMaintenance(actor);
  return { id: job.id };
});
