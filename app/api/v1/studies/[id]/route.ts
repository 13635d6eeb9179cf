import { getStudyDetail } from "@/lib/hpo";
import { route } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = route({ role: "viewer" }, async ({ params }) => getStudyDetail(params.id!));
