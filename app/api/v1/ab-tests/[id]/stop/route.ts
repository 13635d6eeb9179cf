import { stopAbTest } from "@/lib/abtest";
import { route } from "@/lib/http";

export const POST = route({ role: "editor" }, async ({ actor, params }) => stopAbTest(params.id!, actor));
