// POST /api/v1/pipelines/{id}/run: queue a run now; poll /api/v1/jobs/{job_id} or the run history.
import { json, route } from "@/lib/http";
import { runPipelineInput, runPipelineNow } from "@/lib/pipelines";

export const dynamic = "force-dynamic";

export const POST = route({ role: "editor", body: runPipelineInput }, async ({ params, body, actor }) => {
  const { pipelineRun, job } = await runPipelineNow(params.id!, { actor, trigger: "manual", reason: body.reason });
  return json({ pipeline_run: pipelineRun, job_id: job.id, job_url: `/api/v1/jobs/${job.id}` }, 202);
});
