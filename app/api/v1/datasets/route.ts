import { config } from "@/lib/config";
import {
  createDatasetVersion,
  createDatasetVersionFromForm,
  listDatasets,
  listDatasetsQuery,
  uploadFieldsFrom,
  uploadQuery,
} from "@/lib/datasets";
import { AppError, invalid } from "@/lib/errors";
import { json, multipartBoundary, readMultipart, requestBodyStream, route } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = route({ role: "viewer", query: listDatasetsQuery }, async ({ query }) => listDatasets(query));

const CSV_TYPES = ["text/csv", "application/csv", "text/plain", "application/octet-stream"];

/**
 * Upload a CSV: multipart/form-data with a `file` part (plus name, description, target, schema),
 * or a raw text/csv body with ?name=. The body is streamed, never held whole in memory.
 */
export const POST = route({ role: "editor", query: uploadQuery }, async ({ req, actor, query }) => {
  const declared = Number(req.headers.get("content-length") ?? "0");
  // Form overhead (boundaries, text fields) on top of the file itself.
  const limit = config().MAX_UPLOAD_BYTES + 4 * 1024 * 1024;
  if (declared > limit) {
    throw new AppError("payload_too_large", `The upload is larger than the ${config().MAX_UPLOAD_BYTES}-byte limit (MAX_UPLOAD_BYTES)`);
  }
  const rawType = req.headers.get("content-type") ?? "";
  const contentType = rawType.toLowerCase();
  let result;
  if (contentType.startsWith("multipart/")) {
    // The boundary is case-sensitive: take it from the header as sent.
    const parts = readMultipart(requestBodyStream(req), multipartBoundary(rawType));
    result = await createDatasetVersionFromForm(actor, parts, query);
  } else if (contentType === "" || CSV_TYPES.some((t) => contentType.startsWith(t))) {
    const fields = uploadFieldsFrom(query);
    result = await createDatasetVersion(actor, { ...fields, stream: requestBodyStream(req) });
  } else {
    throw invalid(`Send the CSV as multipart/form-data (field 'file') or as a text/csv body, not ${contentType}`);
  }
  return json(result, result.created ? 201 : 200);
});
