"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/app/_server/action";
import { archiveExperiment, countRuns, experimentIdSchema, restoreExperiment } from "@/lib/tracking";

const idInput = z.object({ id: experimentIdSchema });

export const archiveExperimentAction = action("editor", idInput, async ({ id }, actor) => {
  const e = await archiveExperiment(actor, id);
  revalidatePath("/experiments");
  return { id: e.id, lifecycleStage: e.lifecycleStage };
});

export const restoreExperimentAction = action("editor", idInput, async ({ id }, actor) => {
  const e = await restoreExperiment(actor, id);
  revalidatePath("/experiments");
  return { id: e.id, lifecycleStage: e.lifecycleStage };
});

/** The total behind the runs table's "n runs" label; the page itself comes from POST /api/v1/runs/search. */
export const countRunsAction = action(
  "viewer",
  z.object({ experimentId: experimentIdSchema, filter: z.string().max(10_000), view: z.enum(["active", "deleted"]) }),
  async ({ experimentId, filter, view }) => countRuns({ experimentIds: [experimentId], filter, view }),
);
