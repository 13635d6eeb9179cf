import { artifactListQuery, listRunArtifacts } from "@/lib/tracking";
import { route } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = route({ role: "viewer", query: artifactListQuery }, async ({ params, query }) => ({
  files: await listRunArtifacts(params.id!, query.path, { recursive: query.recursive === "true" }),
}));
