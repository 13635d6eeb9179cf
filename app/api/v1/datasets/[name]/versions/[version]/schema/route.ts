// PUT: change a stored version's column types (the schema override after upload); the file is re-checked.
import { retypeDatasetVersion, retypeInput, versionSelectorSchema } from "@/lib/datasets";
import { parseWith, route } from "@/lib/http";

export const dynamic = "force-dynamic";

export const PUT = route({ role: "editor", body: retypeInput }, async ({ params, body, actor }) =>
  retypeDatasetVersion(actor, params.name!, parseWith(versionSelectorSchema, params.version, "version"), body),
);
