import { archiveExperiment, getExperiment, renameExperiment, setExperimentTags, updateExperimentInput } from "@/lib/tracking";
import { route } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = route({ role: "viewer" }, async ({ params }) => getExperiment(params.id!));

export const PATCH = route({ role: "editor", body: updateExperimentInput }, async ({ actor, body, params }) => {
  let experiment = body.name !== undefined ? await renameExperiment(actor, params.id!, body.name) : null;
  if (body.tags) experiment = await setExperimentTags(actor, params.id!, body.tags);
  return experiment;
});

/** Archives (MLflow's "delete"): the experiment and its runs move to lifecycle stage "deleted". */
export const DELETE = route({ role: "editor" }, async ({ actor, params }) => archiveExperiment(actor, params.id!));
