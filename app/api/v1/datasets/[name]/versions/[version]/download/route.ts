import { Readable } from "node:stream";
import { openDatasetFile, versionSelectorSchema } from "@/lib/datasets";
import { parseWith, route } from "@/lib/http";

export const dynamic = "force-dynamic";

/** The CSV exactly as uploaded, streamed from the store. */
export const GET = route({ role: "viewer" }, async ({ params }) => {
  const file = await openDatasetFile(params.name!, parseWith(versionSelectorSchema, params.version, "version"));
  return new Response(Readable.toWeb(file.stream) as unknown as ReadableStream<Uint8Array>, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-length": String(file.sizeBytes),
      "content-disposition": `attachment; filename="${file.filename}"`,
      etag: `"${file.sha256}"`,
      "cache-control": "private, max-age=0, must-revalidate",
    },
  });
});
