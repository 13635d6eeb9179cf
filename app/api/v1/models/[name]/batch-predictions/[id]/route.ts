import { route } from "@/lib/http";
import { getBatchScoring } from "@/lib/serving";

export const dynamic = "force-dynamic";

/** State, progress and row counts of one batch scoring. */
export const GET = route({ role: "viewer" }, async ({ params }) => getBatchScoring(params.name!, params.id!));
