import { z } from "zod";
import { config } from "@/lib/config";
import { AppError, invalid } from "@/lib/errors";
import { json, multipartBoundary, readMultipart, requestBodyStream, route } from "@/lib/http";
import { requestCsvDriftReport } from "@/lib/monitoring";

export const dynamic = "force-dynamic";

const query = z.object({ version: z.coerce.number().int().positive().optional() }).strict();
const CSV_TYPES = ["text/csv", "application/csv", "text/plain", "application/octet-stream"];

/**
 * Queues a drift report whose current window is an uploaded CSV (raw text/csv body, or multipart with a
 * `file` part) against the reference profile of the champion (or ?version=). Answers 202 with the job.
 */
export const POST = route({ role: "editor", query }, async ({ req, actor, params, query: q }) => {
  const maxBytes = config().MAX_UPLOAD_BYTES;
  if (Number(req.headers.get("content-length") ?? "0") > maxBytes + 1024 * 1024) {
    throw new AppError("payload_too_large", `The upload is larger than the ${maxBytes}-byte limit (MAX_UPLOAD_BYTES)`);
  }
  const rawType = req.headers.get("content-type") ?? "";
  const type = rawType.toLowerCase();
  const opts = { version: q.version, maxBytes };
  if (type.startsWith("multipart/")) {
    for await (const part of readMultipart(requestBodyStream(req), multipartBoundary(rawType))) {
      if (part.name === "file") return json({ job: await requestCsvDriftReport(actor, params.name!, part.body, opts) }, 202);
    }
    throw invalid("The form has no 'file' part with the CSV of current data");
  }
  if (type !== "" && !CSV_TYPES.some((t) => type.startsWith(t))) {
    throw invalid(`Send the CSV as text/csv or as multipart/form-data (field 'file'), not ${type}`);
  }
  return json({ job: await requestCsvDriftReport(actor, params.name!, requestBodyStream(req), opts) }, 202);
});
