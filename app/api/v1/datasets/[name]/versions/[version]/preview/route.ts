import { previewDataset, previewQuery, versionSelectorSchema } from "@/lib/datasets";
import { parseWith, route } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = route(
  { role: "viewer", query: previewQuery },
  async ({ params, query }) => previewDataset(params.name!, parseWith(versionSelectorSchema, params.version, "version"), query.rows),
);
