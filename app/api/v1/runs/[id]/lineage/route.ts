import { getRunLineage } from "@/lib/tracking";
import { route } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = route({ role: "viewer" }, async ({ params }) => getRunLineage(params.id!));
