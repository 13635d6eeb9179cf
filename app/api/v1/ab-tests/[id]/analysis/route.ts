import { analyzeAbTest } from "@/lib/abtest";
import { route } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = route({ role: "viewer" }, async ({ params }) => analyzeAbTest(params.id!));
