// MLflow's proxied multipart upload (MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD=true, files of at least
// MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE): `mpu/create/<folder>` {path, num_parts} answers one
// part URL per part; the client PUTs each part there without credentials (the URL, naming a random
// upload id, is the capability, as a presigned URL is) and reads the ETag; `mpu/complete/<folder>`
// {path, upload_id, parts} streams the parts, in order, into the file; `mpu/abort/<folder>` drops them.
// Parts wait under multipart-uploads/<upload_id>/ in the ArtifactStore. The `db:` store keeps whole
// objects in memory, so there the create answers 501 NOT_IMPLEMENTED and the client falls back to
// one streamed PUT (its documented behaviour). An upload expires MULTIPART_UPLOAD_MAX_AGE_HOURS after
// its create; the daily maintenance job sweeps the parts of expired ones (sweepStaleMultipartUploads).
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { artifactStore, joinArtifactPath, validateArtifactPath } from "../artifacts";
import { config } from "../config";
import { AppError, invalid, notFound } from "../errors";
import { json } from "../http";
import { resolvePath } from "./artifact-paths";
import type { MlflowRoute } from "./protocol";

const STAGING = "multipart-uploads";
/** S3's limit. */
const MAX_PARTS = 10_000;
const UPLOAD_ID_RE = /^[0-9a-f]{32}$/;

/** How long an upload (its part URLs, its parts) lives after its create. */
const uploadMaxAgeMs = () => config().MULTIPART_UPLOAD_MAX_AGE_HOURS * 3_600_000;
/** The message MLflow's client recognises as "fall back to a plain upload". */
export const UNSUPPORTED_MULTIPART = "Multipart upload is not supported for the current artifact repository";

interface Manifest {
  target: string;
  parts: number;
  createdAt: number;
}

const uploadIdSchema = z.string().regex(UPLOAD_ID_RE, "upload_id is not an upload id of this server");
const intLike = z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform(Number);

const staging = (id: string, file = "") => joinArtifactPath(STAGING, id, file);

/** The file the client names: the last segment of its local path (either separator), checked. */
function fileNameOf(localPath: string): string {
  const name = localPath.split(/[\\/]/).filter(Boolean).at(-1) ?? "";
  return validateArtifactPath(name);
}

/** Store path of the file a create/complete/abort request targets: <folder>/<file name>. */
async function targetOf(rest: string[], localPath: string): Promise<string> {
  return resolvePath(joinArtifactPath(rest.join("/"), fileNameOf(localPath)), { write: true });
}

async function readManifest(id: string): Promise<Manifest> {
  const store = artifactStore();
  const path = staging(id, "upload.json");
  if (!(await store.stat(path))) throw notFound("Multipart upload", id);
  const m = JSON.parse((await store.get(path)).toString("utf8")) as Manifest;
  if (Date.now() - m.createdAt > uploadMaxAgeMs()) throw notFound("Multipart upload (expired)", id);
  return m;
}

/** When an upload was created: its manifest's time, null without a manifest, NaN when the manifest is unreadable. */
async function createdAtOf(id: string): Promise<number | null> {
  const path = staging(id, "upload.json");
  if (!(await artifactStore().stat(path))) return null;
  try {
    const t = (JSON.parse((await artifactStore().get(path)).toString("utf8")) as Partial<Manifest>).createdAt;
    return typeof t === "number" ? t : NaN;
  } catch {
    return NaN;
  }
}

export interface MultipartSweep {
  /** Uploads whose staged files were removed. */
  uploads: number;
  /** Files removed (parts, their ETag records, manifests). */
  files: number;
}

/**
 * Removes the staged parts of uploads never completed or aborted: those created more than
 * MULTIPART_UPLOAD_MAX_AGE_HOURS ago, whose part URLs no longer work anyway, and
 * leftovers without a readable manifest (a part that landed after its upload was completed). A
 * folder with no file yet is an upload being created and stays. Files outside
 * multipart-uploads/ (completed artifacts) are never touched. Works on any ArtifactStore backend.
 */
export async function sweepStaleMultipartUploads(): Promise<MultipartSweep> {
  const store = artifactStore();
  const cutoff = Date.now() - uploadMaxAgeMs();
  const out: MultipartSweep = { uploads: 0, files: 0 };
  for (const entry of await store.list(STAGING)) {
    const id = entry.path.slice(STAGING.length + 1);
    if (!entry.isDir || !UPLOAD_ID_RE.test(id)) continue;
    const createdAt = await createdAtOf(id);
    const stale = createdAt === null ? (await store.list(staging(id))).length > 0 : !(createdAt >= cutoff);
    if (!stale) continue;
    out.files += await store.delete(staging(id));
    out.uploads++;
  }
  return out;
}

/** Where a part URL points: this server as the client reached it (a proxy's forwarded host first). */
function originOf(req: Request): string {
  const url = new URL(req.url);
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host") ?? url.host;
  const proto = req.headers.get("x-forwarded-proto") ?? url.protocol.replace(/:$/, "");
  return `${proto.split(",")[0]!.trim()}://${host.split(",")[0]!.trim()}`;
}

async function* concatenate(paths: string[]): AsyncIterable<Uint8Array> {
  for (const p of paths) {
    const { stream } = await artifactStore().getStream(p);
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield value;
    }
  }
}

export const multipartRoutes: MlflowRoute[] = [
  {
    method: "POST",
    path: "mpu/create/*",
    role: "editor",
    handler: async ({ req, input, rest }) => {
      const b = z.object({ path: z.string().min(1, "path is required"), num_parts: intLike.pipe(z.number().min(1).max(MAX_PARTS)) }).parse(input);
      if (artifactStore().kind === "db") return json({ error_code: "NOT_IMPLEMENTED", message: UNSUPPORTED_MULTIPART }, 501);
      const target = await targetOf(rest, b.path);
      const id = randomBytes(16).toString("hex");
      const manifest: Manifest = { target, parts: b.num_parts, createdAt: Date.now() };
      await artifactStore().put(staging(id, "upload.json"), JSON.stringify(manifest));
      const base = `${originOf(req)}/api/2.0/mlflow-artifacts/mpu/upload/${id}`;
      return {
        upload_id: id,
        credentials: Array.from({ length: b.num_parts }, (_, i) => ({ url: `${base}/${i + 1}`, part_number: i + 1, headers: {} })),
      };
    },
  },
  {
    // A part URL: no credentials, the random upload id is the capability (as a presigned URL).
    method: "PUT",
    path: "mpu/upload/:upload_id/:part_number",
    role: "public",
    body: "raw",
    handler: async ({ req, params }) => {
      const id = uploadIdSchema.parse(params.upload_id);
      const m = await readManifest(id);
      const n = intLike.parse(params.part_number);
      if (n < 1 || n > m.parts) throw invalid(`Part ${n} is outside 1..${m.parts} of upload ${id}`);
      const limit = config().MAX_ARTIFACT_BYTES;
      if (Number(req.headers.get("content-length") ?? 0) > limit) throw new AppError("payload_too_large", `A part is over the ${limit}-byte limit`);
      const stored = await artifactStore().put(staging(id, `part-${n}`), req.body ?? new Uint8Array(), { maxBytes: limit });
      await artifactStore().put(staging(id, `part-${n}.json`), JSON.stringify({ etag: stored.sha256, size: stored.size }));
      return new Response(null, { status: 200, headers: { etag: `"${stored.sha256}"` } });
    },
  },
  {
    method: "POST",
    path: "mpu/complete/*",
    role: "editor",
    handler: async ({ input, rest }) => {
      const b = z
        .object({
          path: z.string().min(1, "path is required"),
          upload_id: uploadIdSchema,
          parts: z.array(z.object({ part_number: intLike, etag: z.string().optional(), url: z.string().optional() })).min(1, "parts is empty"),
        })
        .parse(input);
      const m = await readManifest(b.upload_id);
      const target = await targetOf(rest, b.path);
      if (target !== m.target) throw invalid(`Upload ${b.upload_id} is for another file than '${b.path}' in this folder`);
      const parts = [...b.parts].sort((x, y) => x.part_number - y.part_number);
      let total = 0;
      for (const [i, p] of parts.entries()) {
        if (i > 0 && parts[i - 1]!.part_number === p.part_number) throw invalid(`Part ${p.part_number} is listed twice`);
        const meta = staging(b.upload_id, `part-${p.part_number}.json`);
        if (!(await artifactStore().stat(meta))) throw invalid(`Part ${p.part_number} of upload ${b.upload_id} was not uploaded`);
        const { etag, size } = JSON.parse((await artifactStore().get(meta)).toString("utf8")) as { etag: string; size: number };
        const sent = (p.etag ?? "").replace(/"/g, "");
        if (sent && sent !== etag) throw invalid(`Part ${p.part_number}: ETag '${sent}' is not the uploaded part's`);
        total += size;
      }
      await artifactStore().put(
        target,
        concatenate(parts.map((p) => staging(b.upload_id, `part-${p.part_number}`))),
        { maxBytes: Math.max(total, 1) },
      );
      await artifactStore().delete(staging(b.upload_id));
      return {};
    },
  },
  {
    method: "POST",
    path: "mpu/abort/*",
    role: "editor",
    handler: async ({ input, rest }) => {
      const b = z.object({ path: z.string().min(1, "path is required"), upload_id: uploadIdSchema }).parse(input);
      const m = await readManifest(b.upload_id);
      if ((await targetOf(rest, b.path)) !== m.target) throw invalid(`Upload ${b.upload_id} is for another file than '${b.path}' in this folder`);
      await artifactStore().delete(staging(b.upload_id));
      return {};
    },
  },
];
