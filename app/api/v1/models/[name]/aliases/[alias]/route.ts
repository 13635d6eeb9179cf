import { deleteModelAlias, getModelVersionByAlias, setAliasInput, setModelAlias } from "@/lib/registry";
import { route } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = route({ role: "viewer" }, async ({ params }) => getModelVersionByAlias(params.name!, params.alias!));

export const PUT = route({ role: "editor", body: setAliasInput }, async ({ actor, body, params }) =>
  setModelAlias(actor, params.name!, params.alias!, body.version),
);

export const DELETE = route({ role: "editor" }, async ({ actor, params }) => {
  await deleteModelAlias(actor, params.name!, params.alias!);
  return { deleted: true };
});
