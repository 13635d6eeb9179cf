import { createExperiment, createExperimentInput, experimentsQuery, listExperiments } from "@/lib/tracking";
import { json, route } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = route({ role: "viewer", query: experimentsQuery }, async ({ query }) => {
  const page = await listExperiments({ view: query.view, filter: query.filter, maxResults: query.max_results, pageToken: query.page_token });
  return { experiments: page.items, nextPageToken: page.nextPageToken };
});

export const POST = route({ role: "editor", body: createExperimentInput }, async ({ actor, body }) =>
  json(await createExperiment(actor, body), 201),
);
