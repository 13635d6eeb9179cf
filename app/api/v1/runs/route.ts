import { createRun, createRunInput } from "@/lib/tracking";
import { json, route } from "@/lib/http";

export const POST = route({ role: "editor", body: createRunInput }, async ({ actor, body }) => json(await createRun(actor, body), 201));
