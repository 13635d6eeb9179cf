import { createModelInput, createRegisteredModel, listRegisteredModels, modelsQuery } from "@/lib/registry";
import { json, route } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = route({ role: "viewer", query: modelsQuery }, async ({ query }) => {
  const page = await listRegisteredModels({ filter: query.filter, maxResults: query.max_results, pageToken: query.page_token });
  return { models: page.items, nextPageToken: page.nextPageToken };
});

export const POST = route({ role: "editor", body: createModelInput }, async ({ actor, body }) =>
  json(await createRegisteredModel(actor, body), 201),
);
