import { z } from "zod";
import { config } from "@/lib/config";
import { AppError, invalid } from "@/lib/errors";
import { json, multipartBoundary, readMultipart, requestBodyStream, route } from "@/lib/http";
import { listBatchScorings, startBatchScoring } from "@/lib/serving";

export const dynamic = "force-dynamic";

export const GET = route({ role: "viewer" }, async ({ params }) => ({ batch_predictions: await listBatchScorings(params.name!) }));

const query = z
  .object({
    alias: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "1-64 letters, digits, '_' or '-'").optional(),
    version: z.coerce.number().int().positive().optional(),
    filename: z.string().max(200).optional(),
  })
  .strict()
  .refine((q) => q.alias === undefined || q.version === undefined, { message: "Give alias or version, not both" });

const CSV_TYPES = ["text/csv", "application/csv", "text/plain", "application/octet-stream"];

/**
 * Upload a CSV to score (raw text/csv body, or multipart/form-data with a `file` part); the champion
 * scores it unless ?alias= or ?version= says otherwise. Answers 202 with the batch; poll it, then download.
 */
export const POST = route({ role: "editor", query }, async ({ req, actor, params, query: q }) => {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > config().MAX_UPLOAD_BYTES + 1024 * 1024) {
    throw new AppError("payload_too_large", `The upload is larger than the ${config().MAX_UPLOAD_BYTES}-byte limit (MAX_UPLOAD_BYTES)`);
  }
  const rawType = req.headers.get("content-type") ?? "";
  const type = rawType.toLowerCase();
  const choice = { alias: q.alias, version: q.version };
  if (type.startsWith("multipart/")) {
    for await (const part of readMultipart(requestBodyStream(req), multipartBoundary(rawType))) {
      if (part.name !== "file") continue;
      const info = await startBatchScoring(actor, params.name!, choice, part.body, part.filename ?? q.filename ?? null);
      return json(info, 202);
    }
    throw invalid("The form has no 'file' part with the CSV to score");
  }
  if (type !== "" && !CSV_TYPES.some((t) => type.startsWith(t))) {
    throw invalid(`Send the CSV as text/csv or as multipart/form-data (field 'file'), not ${type}`);
  }
  return json(await startBatchScoring(actor, params.name!, choice, requestBodyStream(req), q.filename ?? null), 202);
});
