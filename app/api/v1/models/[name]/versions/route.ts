import { createModelVersion, createVersionInput, listModelVersions } from "@/lib/registry";
import { json, route } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = route({ role: "viewer" }, async ({ params }) => ({ versions: await listModelVersions(params.name!) }));

export const POST = route({ role: "editor", body: createVersionInput }, async ({ actor, body, params }) =>
  json(await createModelVersion(actor, params.name!, body), 201),
);
