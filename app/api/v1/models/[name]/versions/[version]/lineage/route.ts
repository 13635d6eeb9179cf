import { getModelVersionLineage } from "@/lib/registry";
import { route } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = route({ role: "viewer" }, async ({ params }) => getModelVersionLineage(params.name!, params.version!));
