import { downloadHeaders } from "@/lib/artifacts";
import { openRunArtifact, uploadRunArtifact } from "@/lib/tracking";
import { json, route } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = route({ role: "viewer" }, async ({ params }) => {
  const { stream, size } = await openRunArtifact(params.id!, params.path!);
  return new Response(stream, { headers: downloadHeaders(params.path!, size) });
});

/** The body is the file itself; a bad path is refused before anything is written. */
export const PUT = route({ role: "editor" }, async ({ actor, params, req }) =>
  json(await uploadRunArtifact(actor, params.id!, params.path!, req.body ?? new Uint8Array()), 201),
);
