import { json, route } from "@/lib/http";
import { listDriftReports, reportRequestSchema, reportsQuery, requestDriftReport } from "@/lib/monitoring";

export const dynamic = "force-dynamic";

export const GET = route({ role: "viewer", query: reportsQuery }, async ({ params, query }) => ({
  reports: await listDriftReports(params.name!, { limit: query.limit }),
}));

/** Queues a report; the job's result names the stored report. */
export const POST = route({ role: "editor", body: reportRequestSchema.optional() }, async ({ actor, body, params }) =>
  json({ job: await requestDriftReport(actor, params.name!, body ?? {}) }, 202),
);
