import { deleteModelVersion, getModelVersion, updateModelVersion, updateVersionInput } from "@/lib/registry";
import { route } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = route({ role: "viewer" }, async ({ params }) => getModelVersion(params.name!, params.version!));

export const PATCH = route({ role: "editor", body: updateVersionInput }, async ({ actor, body, params }) =>
  updateModelVersion(actor, params.name!, params.version!, body),
);

export const DELETE = route({ role: "editor" }, async ({ actor, params }) => {
  await deleteModelVersion(actor, params.name!, params.version!);
  return { deleted: true };
});
