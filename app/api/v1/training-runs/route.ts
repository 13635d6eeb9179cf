// POST /api/v1/training-runs: queue a training job; poll GET /api/v1/jobs/{job_id} for progress and its run_id.
import { json, route } from "@/lib/http";
import { enqueueTraining, trainJobSpecSchema } from "@/lib/training";

export const dynamic = "force-dynamic";

export const POST = route({ role: "editor", body: trainJobSpecSchema }, async ({ body, actor }) => {
  const { job, spec } = await enqueueTraining(actor, body);
  return json({ job_id: job.id, state: job.state, dataset: spec.dataset, job_url: `/api/v1/jobs/${job.id}` }, 202);
});
