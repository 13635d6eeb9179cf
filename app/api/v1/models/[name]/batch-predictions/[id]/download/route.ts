import { route } from "@/lib/http";
import { openBatchOutput } from "@/lib/serving";

export const dynamic = "force-dynamic";

/** The predictions CSV, streamed from the artifact store (409 until the batch has succeeded). */
export const GET = route({ role: "viewer" }, async ({ params }) => {
  const file = await openBatchOutput(params.name!, params.id!);
  return new Response(file.stream, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-length": String(file.size),
      "content-disposition": `attachment; filename="${file.filename}"`,
      "cache-control": "private, no-store",
    },
  });
});
