import { route } from "@/lib/http";
import { listPipelineRuns, pipelinesQuery } from "@/lib/pipelines";

export const dynamic = "force-dynamic";

export const GET = route({ role: "viewer", query: pipelinesQuery }, async ({ params, query }) => listPipelineRuns(params.id!, query));
