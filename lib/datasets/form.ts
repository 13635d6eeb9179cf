// Uploads from a multipart form: text fields and one CSV file part, in any order. The file is
// staged as it streams in; the version is recorded once every field has been read and checked.
import type { Actor } from "../auth";
import { requireRole } from "../auth";
import { invalid } from "../errors";
import {
  commitStaged,
  datasetUploadFields,
  discardStaged,
  parseFields,
  stageUpload,
  type CreateDatasetVersionResult,
} from "./datasets";
import type { IngestResult } from "./ingest";

/** One part of a multipart body (lib/http's readMultipart yields these). */
export interface FormPart {
  name: string;
  filename: string | null;
  body: AsyncIterable<Uint8Array>;
}

/** Form and query field names; `schema` holds the overrides as JSON ({"column": "type"}). */
export const UPLOAD_TEXT_FIELDS = ["name", "description", "target", "schema"] as const;
type TextField = (typeof UPLOAD_TEXT_FIELDS)[number];

const MAX_FIELD_BYTES: Record<TextField, number> = {
  name: 1024,
  description: 16 * 1024,
  target: 1024,
  // 10,000 columns × a name and a type.
  schema: 2 * 1024 * 1024,
};

async function readText(part: FormPart, limit: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const c of part.body) {
    size += c.byteLength;
    if (size > limit) throw invalid(`The form field '${part.name}' is longer than ${limit} bytes`);
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Text fields as strings (form or query string) → the checked upload fields. */
export function uploadFieldsFrom(text: Partial<Record<TextField, string>>) {
  let schemaOverrides: unknown;
  if (text.schema !== undefined && text.schema.trim() !== "") {
    try {
      schemaOverrides = JSON.parse(text.schema);
    } catch (err) {
      throw invalid(`The 'schema' field is not valid JSON (${(err as Error).message}); send an object like {"age": "integer"}`);
    }
  }
  const blank = (v: string | undefined) => (v === undefined || v.trim() === "" ? undefined : v);
  return parseFields(
    datasetUploadFields,
    { name: text.name ?? "", description: blank(text.description), target: blank(text.target), schemaOverrides },
    "dataset upload",
  );
}

/**
 * Creates a dataset version from multipart parts: a `file` part with the CSV, and text parts
 * name, description, target, schema. Text fields may also come from `defaults` (e.g. the query
 * string); form fields win.
 */
export async function createDatasetVersionFromForm(
  actor: Actor,
  parts: AsyncIterable<FormPart>,
  defaults: Partial<Record<TextField, string>> = {},
): Promise<CreateDatasetVersionResult> {
  requireRole(actor, "editor");
  const text: Partial<Record<TextField, string>> = { ...defaults };
  let staged: IngestResult | null = null;
  try {
    for await (const part of parts) {
      if (part.name === "file") {
        if (staged) throw invalid("The form has more than one 'file' part; upload one CSV at a time");
        // Fail before reading the file when the fields sent so far already say no.
        if (text.name !== undefined) uploadFieldsFrom(text);
        staged = await stageUpload(part.body);
      } else if ((UPLOAD_TEXT_FIELDS as readonly string[]).includes(part.name)) {
        const field = part.name as TextField;
        text[field] = await readText(part, MAX_FIELD_BYTES[field]);
      } else {
        throw invalid(`Unknown form field '${part.name}'; the fields are file, ${UPLOAD_TEXT_FIELDS.join(", ")}`);
      }
    }
    if (!staged) throw invalid("The form has no 'file' part with the CSV");
    const fields = uploadFieldsFrom(text);
    const done = staged;
    staged = null; // commitStaged owns the staging file from here
    return await commitStaged(actor, done, fields);
  } finally {
    await discardStaged(staged);
  }
}
