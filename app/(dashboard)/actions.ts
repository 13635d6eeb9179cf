"use server";

import { z } from "zod";
import { action } from "@/app/_server/action";
import { requestOrigin } from "@/app/_server/origin";
import { enqueueDemo } from "@/lib/demo";

/** "Load demo data": a worker builds the demo story against this instance's URL (docs/demo.md). */
export const loadDemoAction = action("admin", z.object({}).strict(), async (_input, actor) => {
  const job = await enqueueDemo(actor, { baseUrl: process.env.MLOPS_DEMO_URL ?? (await requestOrigin()) });
  return { jobId: job.id };
});
