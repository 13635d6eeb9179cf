// Where dataset files live. A small interface so that lib/artifacts' ArtifactStore can replace the
// local-folder implementation below by changing datasetStore() only.
import { randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { copyFile, mkdir, rename, rm, stat } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { config } from "../config";
import { AppError, invalid, notFound } from "../errors";

export interface DatasetFileStore {
  /** Stores a stream under a relative path, atomically (readers never see a partial file). */
  put(path: string, data: Readable): Promise<void>;
  /** Stores a local file, moving it when possible; `file` may be gone afterwards. */
  putFile(path: string, file: string): Promise<void>;
  get(path: string): Promise<Readable>;
  exists(path: string): Promise<boolean>;
  remove(path: string): Promise<void>;
  /** A local folder for the temporary copy written while an upload is checked. */
  stagingDir(): string;
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Relative, forward slashes, no "." or ".." segments, no absolute paths, ever. */
export function checkStorePath(path: string): string {
  if (path.length === 0 || path.length > 512 || isAbsolute(path) || path.includes("\\")) {
    throw invalid(`'${path}' is not a valid artifact path`);
  }
  for (const seg of path.split("/")) {
    if (!SEGMENT.test(seg) || seg === "." || seg === "..") throw invalid(`'${path}' is not a valid artifact path`);
  }
  return path;
}

/** Content-addressed: the same bytes are stored once whatever dataset they belong to. */
export function datasetFilePath(sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw invalid("A dataset file is named by its SHA-256 (64 hex digits)");
  return `datasets/${sha256}.csv`;
}

export class LocalFolderStore implements DatasetFileStore {
  readonly root: string;
  constructor(root: string) {
    this.root = resolve(root);
  }

  private abs(path: string): string {
    return join(this.root, checkStorePath(path));
  }

  stagingDir(): string {
    return join(this.root, ".staging");
  }

  async put(path: string, data: Readable): Promise<void> {
    const target = this.abs(path);
    await mkdir(dirname(target), { recursive: true });
    const tmp = `${target}.${randomUUID()}.part`;
    try {
      await pipeline(data, createWriteStream(tmp, { flags: "wx" }));
      await rename(tmp, target);
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async putFile(path: string, file: string): Promise<void> {
    const target = this.abs(path);
    await mkdir(dirname(target), { recursive: true });
    try {
      await rename(file, target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EXDEV") throw err;
      // Another filesystem: copy next to the target, then rename so readers never see half a file.
      const tmp = `${target}.${randomUUID()}.part`;
      try {
        await copyFile(file, tmp);
        await rename(tmp, target);
      } finally {
        await rm(tmp, { force: true });
      }
    }
  }

  async get(path: string): Promise<Readable> {
    const file = this.abs(path);
    if (!(await this.exists(path))) throw notFound("Artifact", path);
    return createReadStream(file, { highWaterMark: 256 * 1024 });
  }

  async exists(path: string): Promise<boolean> {
    try {
      return (await stat(this.abs(path))).isFile();
    } catch {
      return false;
    }
  }

  async remove(path: string): Promise<void> {
    await rm(this.abs(path), { force: true });
  }
}

/** The store configured by ARTIFACT_STORE. The one place to switch to lib/artifacts when it lands. */
export function datasetStore(): DatasetFileStore {
  const url = config().ARTIFACT_STORE;
  if (url.startsWith("file:")) return new LocalFolderStore(url.slice("file:".length) || ".");
  throw new AppError(
    "unavailable",
    `Dataset files need a folder artifact store (ARTIFACT_STORE=file:PATH); '${url.split(":")[0]}:' is not supported for datasets yet`,
  );
}
