import { route } from "@/lib/http";
import { deletePipeline, getPipeline, updatePipeline, updatePipelineInput } from "@/lib/pipelines";

export const dynamic = "force-dynamic";

/** {id} is the pipeline's id or its name. */
export const GET = route({ role: "viewer" }, async ({ params }) => getPipeline(params.id!));

export const PATCH = route({ role: "editor", body: updatePipelineInput }, async ({ params, body, actor }) => updatePipeline(actor, params.id!, body));

export const DELETE = route({ role: "editor" }, async ({ params, actor }) => {
  await deletePipeline(actor, params.id!);
  return { ok: true };
});
