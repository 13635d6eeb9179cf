import { transitionInput, transitionModelVersionStage } from "@/lib/registry";
import { route } from "@/lib/http";

export const POST = route({ role: "editor", body: transitionInput }, async ({ actor, body, params }) =>
  transitionModelVersionStage(actor, params.name!, params.version!, body),
);
