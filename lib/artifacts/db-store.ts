// Database backend (ArtifactBlob table) for deployments with several web replicas and workers that
// share no disk. Objects are held in memory while written and read, so keep them moderate.
import { Readable } from "node:stream";
import { db } from "../db";
import { invalid, notFound } from "../errors";
import { collect } from "./data";
import { joinArtifactPath, validateArtifactPath } from "./paths";
import type { ArtifactData, ArtifactEntry, ArtifactStore, StoredArtifact } from "./types";

function ancestors(path: string): string[] {
  const parts = path.split("/");
  return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join("/"));
}

export class DbArtifactStore implements ArtifactStore {
  readonly kind = "db" as const;

  constructor(private readonly defaultMaxBytes: number) {}

  /** Every stored path strictly below a folder ("" = all). Filtered again in JS: LIKE semantics differ by database. */
  private async below(prefix: string): Promise<{ path: string; size: number }[]> {
    const start = prefix === "" ? "" : `${prefix}/`;
    const rows = await db().artifactBlob.findMany({
      where: start ? { path: { startsWith: start } } : {},
      select: { path: true, size: true },
    });
    return rows.filter((r) => r.path.startsWith(start));
  }

  async put(path: string, data: ArtifactData, opts: { maxBytes?: number } = {}): Promise<StoredArtifact> {
    validateArtifactPath(path);
    const { bytes, sha256 } = await collect(data, opts.maxBytes ?? this.defaultMaxBytes);
    // Same rules as a file system: a file cannot sit where a folder is, nor below another file.
    const parents = ancestors(path);
    if (parents.length && (await db().artifactBlob.count({ where: { path: { in: parents } } })) > 0) {
      throw invalid(`Cannot write '${path}': a parent folder is a file`);
    }
    if ((await this.below(path)).length > 0) throw invalid(`Cannot write '${path}': it is a folder`);
    // A Buffer is a Uint8Array; Prisma's type only insists on a plain ArrayBuffer behind it.
    const fields = { data: bytes as unknown as Uint8Array<ArrayBuffer>, size: bytes.byteLength, sha256, createdAt: new Date() };
    await db().artifactBlob.upsert({ where: { path }, create: { path, ...fields }, update: fields });
    return { path, size: bytes.byteLength, sha256 };
  }

  async get(path: string): Promise<Buffer> {
    validateArtifactPath(path);
    const row = await db().artifactBlob.findUnique({ where: { path }, select: { data: true } });
    if (!row) throw notFound("Artifact", path);
    return Buffer.from(row.data);
  }

  async stat(path: string): Promise<{ size: number } | null> {
    validateArtifactPath(path);
    const row = await db().artifactBlob.findUnique({ where: { path }, select: { size: true } });
    return row ? { size: row.size } : null;
  }

  async getStream(path: string): Promise<{ stream: ReadableStream<Uint8Array>; size: number }> {
    const bytes = await this.get(path);
    return { stream: Readable.toWeb(Readable.from([bytes])) as unknown as ReadableStream<Uint8Array>, size: bytes.byteLength };
  }

  async list(prefix: string, opts: { recursive?: boolean } = {}): Promise<ArtifactEntry[]> {
    validateArtifactPath(prefix, { allowRoot: true });
    const start = prefix === "" ? "" : `${prefix}/`;
    const entries = new Map<string, ArtifactEntry>();
    for (const row of await this.below(prefix)) {
      const rest = row.path.slice(start.length);
      const slash = rest.indexOf("/");
      if (opts.recursive || slash < 0) {
        entries.set(row.path, { path: row.path, isDir: false, size: row.size });
      } else {
        const dir = joinArtifactPath(prefix, rest.slice(0, slash));
        entries.set(dir, { path: dir, isDir: true, size: null });
      }
    }
    return [...entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async delete(path: string): Promise<number> {
    validateArtifactPath(path);
    const paths = [path, ...(await this.below(path)).map((r) => r.path)];
    const { count } = await db().artifactBlob.deleteMany({ where: { path: { in: paths } } });
    return count;
  }
}
