import { getJob } from "@/lib/jobs";
import { route } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = route({ role: "viewer" }, async ({ params }) => getJob(params.id!));
