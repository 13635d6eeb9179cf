import { startAbTest } from "@/lib/abtest";
import { route } from "@/lib/http";

export const POST = route({ role: "editor" }, async ({ actor, params }) => startAbTest(params.id!, actor));
