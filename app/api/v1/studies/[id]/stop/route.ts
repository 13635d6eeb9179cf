import { stopStudy } from "@/lib/hpo";
import { route } from "@/lib/http";

export const dynamic = "force-dynamic";

export const POST = route({ role: "editor" }, async ({ params }) => stopStudy(params.id!));
