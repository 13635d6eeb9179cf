import { getAbTest } from "@/lib/abtest";
import { route } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = route({ role: "viewer" }, async ({ params }) => getAbTest(params.id!));
