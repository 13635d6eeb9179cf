import { z } from "zod";
import { keySchema, MAX_TAG_VALUE_LENGTH } from "../tracking";
import { STAGES } from "./types";

// Names appear in URLs and file paths: no slashes, backslashes or control characters.
export const modelNameSchema = z
  .string()
  .trim()
  .min(1, "Give the model a name")
  .max(250)
  .regex(/^[^/\\\u0000-\u001f\u007f]+$/, "Model names may not contain '/', '\\' or control characters");

/** Alias names: not "latest" and not like a version ("v3"), which MLflow reserves. */
export const aliasSchema = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9_-]+$/, "Aliases contain only letters, digits, '_' and '-'")
  .refine((a) => a.toLowerCase() !== "latest" && !/^v\d+$/i.test(a), "'latest' and 'v<number>' are reserved, not aliases");

export const versionSchema = z
  .union([z.number(), z.string().regex(/^\d+$/, "Versions are whole numbers")])
  .transform(Number)
  .pipe(z.number().int().min(1, "Versions start at 1"));

export const stageSchema = z
  .string()
  .transform((s) => STAGES.find((x) => x.toLowerCase() === s.trim().toLowerCase()) ?? s)
  .pipe(z.enum(STAGES, { message: `Stage is one of ${STAGES.join(", ")}` }));

const tagsRecord = z.record(keySchema, z.string().max(MAX_TAG_VALUE_LENGTH));
const description = z.string().max(5000);

export const createModelInput = z.object({ name: modelNameSchema, description: description.optional(), tags: tagsRecord.optional() }).strict();
export const updateModelInput = z
  .object({ name: modelNameSchema.optional(), description: description.nullable().optional(), tags: tagsRecord.optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, "Send name, description and/or tags");

export const createVersionInput = z
  .object({
    source: z.string().trim().min(1, "Give the source (artifact location of the model)").max(1000),
    runId: z.string().regex(/^[0-9a-f]{32}$/, "Run ids are 32 hexadecimal characters").optional(),
    /** An MLflow 3 logged model (m-…) the version registers; a models:/<model_id> source names one too. */
    loggedModelId: z.string().min(1).max(100).optional(),
    signature: z.unknown().optional(),
    description: description.optional(),
    tags: tagsRecord.optional(),
  })
  .strict();

export const updateVersionInput = z
  .object({ description: description.nullable().optional(), tags: tagsRecord.optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, "Send description and/or tags");

export const transitionInput = z.object({ stage: stageSchema, archiveExistingVersions: z.boolean().default(false) }).strict();
export const setAliasInput = z.object({ version: versionSchema }).strict();
export const promoteInput = z
  .object({ version: versionSchema, alias: aliasSchema.default("champion"), reason: z.string().trim().max(2000).optional() })
  .strict();

export const listModelsInput = z.object({
  filter: z.string().max(10_000).default(""),
  maxResults: z.coerce.number().int().min(1).max(1000).default(100),
  pageToken: z.string().max(500).optional(),
});
