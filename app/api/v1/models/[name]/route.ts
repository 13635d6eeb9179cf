import { deleteRegisteredModel, getRegisteredModel, updateModelInput, updateRegisteredModel } from "@/lib/registry";
import { route } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = route({ role: "viewer" }, async ({ params }) => getRegisteredModel(params.name!));

export const PATCH = route({ role: "editor", body: updateModelInput }, async ({ actor, body, params }) =>
  updateRegisteredModel(actor, params.name!, body),
);

export const DELETE = route({ role: "editor" }, async ({ actor, params }) => {
  await deleteRegisteredModel(actor, params.name!);
  return { deleted: true };
});
