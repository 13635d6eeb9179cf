import { pauseAbTest } from "@/lib/abtest";
import { route } from "@/lib/http";

export const POST = route({ role: "editor" }, async ({ actor, params }) => pauseAbTest(params.id!, actor));
