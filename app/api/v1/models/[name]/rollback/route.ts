import { rollbackInput, rollbackPromotion } from "@/lib/registry";
import { route } from "@/lib/http";

export const POST = route({ role: "editor", body: rollbackInput }, async ({ actor, body, params }) =>
  rollbackPromotion(actor, params.name!, { alias: body.alias, reason: body.reason }),
);
