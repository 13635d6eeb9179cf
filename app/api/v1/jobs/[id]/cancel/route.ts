import { cancelJob } from "@/lib/jobs";
import { route } from "@/lib/http";

export const POST = route({ role: "editor" }, async ({ params }) => cancelJob(params.id!));
