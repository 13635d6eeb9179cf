import { listStudies, studyListQuery } from "@/lib/hpo";
import { route } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = route({ role: "viewer", query: studyListQuery }, async ({ query }) => listStudies(query));
