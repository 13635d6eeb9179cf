import { restoreExperiment } from "@/lib/tracking";
import { route } from "@/lib/http";

export const POST = route({ role: "editor" }, async ({ actor, params }) => restoreExperiment(actor, params.id!));
