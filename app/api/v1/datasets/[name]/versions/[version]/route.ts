import { getDatasetVersion, versionSelectorSchema } from "@/lib/datasets";
import { parseWith, route } from "@/lib/http";

export const dynamic = "force-dynamic";

/** One version with its schema, profile and validation report; {version} is a number or "latest". */
export const GET = route({ role: "viewer" }, async ({ params }) =>
  getDatasetVersion(params.name!, parseWith(versionSelectorSchema, params.version, "version")),
);
