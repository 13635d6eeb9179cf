"use server";

import { action } from "@/app/_server/action";
import { enqueueTraining, trainJobSpecSchema } from "@/lib/training";

export const startTrainingAction = action("editor", trainJobSpecSchema, async (spec, actor) => {
  const { job } = await enqueueTraining(actor, spec);
  return { jobId: job.id };
});
