import { route } from "@/lib/http";
import { getDriftReport } from "@/lib/monitoring";

export const dynamic = "force-dynamic";

export const GET = route({ role: "viewer" }, async ({ params }) => getDriftReport(params.name!, params.id!));
