import { logBatch, logBatchInput } from "@/lib/tracking";
import { route } from "@/lib/http";

export const POST = route({ role: "editor", body: logBatchInput }, async ({ actor, body, params }) => logBatch(actor, params.id!, body));
