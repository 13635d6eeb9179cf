// Local-folder backend: one file per artifact under the root. Writes go to a temporary file in the
// same folder and are renamed into place, so readers never see half an artifact.
import { createHash, randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, rmdir, stat, unlink } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { Readable } from "node:stream";
import { invalid, notFound } from "../errors";
import { chunksOf, tooLarge } from "./data";
import { joinArtifactPath, validateArtifactPath } from "./paths";
import type { ArtifactData, ArtifactEntry, ArtifactStore, StoredArtifact } from "./types";

const PARTIAL = /^\..*\.partial$/;

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException)?.code;
}

/** Removes the folders a failed write created, bottom-up, stopping at one that is not empty. */
async function pruneEmptyFolders(from: string, upTo: string): Promise<void> {
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      await rmdir(dir);
    } catch {
      return;
    }
    if (dir === upTo || dirname(dir) === dir) return;
  }
}

export class FileArtifactStore implements ArtifactStore {
  readonly kind = "file" as const;
  readonly root: string;

  constructor(root: string, private readonly defaultMaxBytes: number) {
    this.root = resolve(root);
  }

  /** The absolute location of a validated path; refuses anything that would leave the root. */
  private locate(path: string, allowRoot = false): string {
    const p = validateArtifactPath(path, { allowRoot });
    const abs = resolve(this.root, p);
    const rel = relative(this.root, abs);
    if (rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
      throw invalid(`Invalid artifact path '${path}': outside the artifact root`);
    }
    return abs;
  }

  async put(path: string, data: ArtifactData, opts: { maxBytes?: number } = {}): Promise<StoredArtifact> {
    const target = this.locate(path);
    const limit = opts.maxBytes ?? this.defaultMaxBytes;
    let createdDir: string | undefined;
    try {
      createdDir = await mkdir(dirname(target), { recursive: true });
    } catch (err) {
      if (errno(err) === "EEXIST" || errno(err) === "ENOTDIR") throw invalid(`Cannot write '${path}': a parent folder is a file`);
      throw err;
    }
    const tmp = join(dirname(target), `.${randomUUID()}.partial`);
    const hash = createHash("sha256");
    let size = 0;
    const fh = await open(tmp, "wx");
    try {
      try {
        for await (const chunk of chunksOf(data)) {
          size += chunk.byteLength;
          if (size > limit) throw tooLarge(limit);
          hash.update(chunk);
          await fh.write(chunk);
        }
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, target).catch((err) => {
        if (errno(err) === "EISDIR" || errno(err) === "ENOTEMPTY" || errno(err) === "EEXIST") {
          throw invalid(`Cannot write '${path}': it is a folder`);
        }
        throw err;
      });
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      if (createdDir) await pruneEmptyFolders(dirname(target), createdDir);
      throw err;
    }
    return { path, size, sha256: hash.digest("hex") };
  }

  async get(path: string): Promise<Buffer> {
    const abs = this.locate(path);
    try {
      return await readFile(abs);
    } catch (err) {
      if (["ENOENT", "EISDIR", "ENOTDIR"].includes(errno(err) ?? "")) throw notFound("Artifact", path);
      throw err;
    }
  }

  async stat(path: string): Promise<{ size: number } | null> {
    const abs = this.locate(path);
    try {
      const s = await stat(abs);
      return s.isFile() ? { size: s.size } : null;
    } catch (err) {
      if (["ENOENT", "ENOTDIR"].includes(errno(err) ?? "")) return null;
      throw err;
    }
  }

  async getStream(path: string): Promise<{ stream: ReadableStream<Uint8Array>; size: number }> {
    const s = await this.stat(path);
    if (!s) throw notFound("Artifact", path);
    const stream = Readable.toWeb(createReadStream(this.locate(path))) as unknown as ReadableStream<Uint8Array>;
    return { stream, size: s.size };
  }

  async list(prefix: string, opts: { recursive?: boolean } = {}): Promise<ArtifactEntry[]> {
    const dir = this.locate(prefix, true);
    const out: ArtifactEntry[] = [];
    const walk = async (abs: string, rel: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(abs, { withFileTypes: true });
      } catch (err) {
        if (["ENOENT", "ENOTDIR"].includes(errno(err) ?? "")) return;
        throw err;
      }
      for (const e of entries) {
        if (PARTIAL.test(e.name)) continue;
        const path = joinArtifactPath(rel, e.name);
        if (e.isDirectory()) {
          if (opts.recursive) await walk(join(abs, e.name), path);
          else out.push({ path, isDir: true, size: null });
        } else if (e.isFile()) {
          out.push({ path, isDir: false, size: (await stat(join(abs, e.name))).size });
        }
      }
    };
    await walk(dir, prefix);
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async delete(path: string): Promise<number> {
    const abs = this.locate(path);
    let s;
    try {
      s = await stat(abs);
    } catch (err) {
      if (["ENOENT", "ENOTDIR"].includes(errno(err) ?? "")) return 0;
      throw err;
    }
    const count = s.isDirectory() ? (await this.list(path, { recursive: true })).length : 1;
    await rm(abs, { recursive: true, force: true });
    return count;
  }
}
