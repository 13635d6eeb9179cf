"use server";

import { z } from "zod";
import { action } from "@/app/_server/action";
import { createPipeline, createPipelineInput, deletePipeline, runPipelineNow, updatePipeline, updatePipelineInput } from "@/lib/pipelines";

export const createPipelineAction = action("editor", createPipelineInput, async (input, actor) => {
  const p = await createPipeline(actor, input);
  return { id: p.id };
});

export const runPipelineAction = action("editor", z.object({ id: z.string().min(1).max(200), reason: z.string().max(500).optional() }), async ({ id, reason }, actor) => {
  const { job, pipelineRun } = await runPipelineNow(id, { actor, trigger: "manual", reason });
  return { jobId: job.id, pipelineRunId: pipelineRun.id };
});

export const updatePipelineAction = action("editor", z.object({ id: z.string().min(1).max(200), patch: updatePipelineInput }), async ({ id, patch }, actor) => {
  const p = await updatePipeline(actor, id, patch);
  return { id: p.id, schedule: p.schedule, nextRunAt: p.nextRunAt, enabled: p.enabled };
});

export const deletePipelineAction = action("editor", z.object({ id: z.string().min(1).max(200) }), async ({ id }, actor) => {
  await deletePipeline(actor, id);
  return { id };
});
