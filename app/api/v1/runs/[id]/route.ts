import { deleteRun, getRun, updateRun, updateRunInput } from "@/lib/tracking";
import { route } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = route({ role: "viewer" }, async ({ params }) => getRun(params.id!));

export const PATCH = route({ role: "editor", body: updateRunInput }, async ({ actor, body, params }) => updateRun(actor, params.id!, body));

/** Archives the run (lifecycle stage "deleted"); POST …/restore brings it back. */
export const DELETE = route({ role: "editor" }, async ({ actor, params }) => deleteRun(actor, params.id!));
