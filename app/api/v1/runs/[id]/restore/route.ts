import { restoreRun } from "@/lib/tracking";
import { route } from "@/lib/http";

export const POST = route({ role: "editor" }, async ({ actor, params }) => restoreRun(actor, params.id!));
