// Pipelines: saved training recipes with cron schedules and triggers. See docs/pipelines.md.
import { json, route } from "@/lib/http";
import { createPipeline, createPipelineInput, listPipelines, pipelinesQuery } from "@/lib/pipelines";

export const dynamic = "force-dynamic";

export const GET = route({ role: "viewer", query: pipelinesQuery }, async ({ query }) => listPipelines(query));

export const POST = route({ role: "editor", body: createPipelineInput }, async ({ body, actor }) => json(await createPipeline(actor, body), 201));
