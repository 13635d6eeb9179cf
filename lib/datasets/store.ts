// Where dataset files live: the platform's ArtifactStore (lib/artifacts), so that ARTIFACT_STORE=db:
// serves datasets to every replica and worker as it does models. This adapter adds what uploads
// need on top: a local staging folder for the copy written while an upload is checked, and moving
// the accepted copy into the store.
import { createReadStream } from "node:fs";
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { artifactStore, FileArtifactStore, validateArtifactPath, type ArtifactStore } from "../artifacts";
import { config } from "../config";
import { invalid } from "../errors";
import { logger } from "../observability";

export interface DatasetFileStore {
  /** Stores a stream under a relative path, atomically (readers never see a partial file). */
  put(path: string, data: Readable): Promise<void>;
  /** Stores a local file; `file` is gone afterwards. */
  putFile(path: string, file: string): Promise<void>;
  get(path: string): Promise<Readable>;
  exists(path: string): Promise<boolean>;
  remove(path: string): Promise<void>;
  /** A local folder for the temporary copy written while an upload is checked. */
  stagingDir(): string;
}

/** Relative, forward slashes, no "." or ".." segments, no absolute paths, ever. */
export function checkStorePath(path: string): string {
  return validateArtifactPath(path);
}

/** Content-addressed: the same bytes are stored once whatever dataset they belong to. */
export function datasetFilePath(sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw invalid("A dataset file is named by its SHA-256 (64 hex digits)");
  return `datasets/${sha256}.csv`;
}

/** Staging files are named `<uuid>.csv.part` (lib/datasets/ingest.ts). */
const STAGING_FILE = /^[0-9a-f-]{36}\.csv\.part$/;

export class ArtifactDatasetStore implements DatasetFileStore {
  constructor(
    private readonly store: ArtifactStore,
    private readonly staging: string,
  ) {}

  stagingDir(): string {
    return this.staging;
  }

  /** Datasets may be as large as an upload is allowed to be, whatever the store's per-artifact default. */
  private get maxBytes(): number {
    return config().MAX_UPLOAD_BYTES;
  }

  async put(path: string, data: Readable): Promise<void> {
    await this.store.put(checkStorePath(path), data, { maxBytes: this.maxBytes });
  }

  async putFile(path: string, file: string): Promise<void> {
    checkStorePath(path);
    if (this.store instanceof FileArtifactStore && dirname(file) === this.staging) {
      // Same disk (the staging folder is inside the store's root): a rename, not a 1 GB copy.
      const target = join(this.store.root, path);
      await mkdir(dirname(target), { recursive: true });
      try {
        await rename(file, target);
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EXDEV") throw err;
      }
    }
    try {
      await this.store.put(path, createReadStream(file, { highWaterMark: 256 * 1024 }), { maxBytes: this.maxBytes });
    } finally {
      await rm(file, { force: true });
    }
  }

  async get(path: string): Promise<Readable> {
    const { stream } = await this.store.getStream(checkStorePath(path));
    return Readable.fromWeb(stream as unknown as WebReadableStream<Uint8Array>, { highWaterMark: 256 * 1024 });
  }

  async exists(path: string): Promise<boolean> {
    return (await this.store.stat(checkStorePath(path))) !== null;
  }

  async remove(path: string): Promise<void> {
    await this.store.delete(checkStorePath(path));
  }
}

/**
 * The staging folder: `<root>/.staging` for a folder store (so that accepting an upload is a rename),
 * a folder of the operating system's temp space for the database store.
 */
export function stagingFolderFor(store: ArtifactStore): string {
  return store instanceof FileArtifactStore ? join(store.root, ".staging") : join(tmpdir(), "mlops-dataset-staging");
}

/** The dataset view of the configured ArtifactStore. */
export function datasetStore(): DatasetFileStore {
  const store = artifactStore();
  return new ArtifactDatasetStore(store, stagingFolderFor(store));
}

/** Staging files untouched this long belong to an upload whose process died; they are removed. */
export const STALE_STAGING_MS = 60 * 60_000;
const SWEEP_EVERY_MS = 10 * 60_000;
const lastSweep = new Map<string, number>();

/**
 * Removes staging files nobody has written to for `maxAgeMs` (a crashed or killed upload; a live
 * upload writes continuously, so its file stays fresh). Returns how many went.
 */
export async function cleanStaging(dir: string, maxAgeMs = STALE_STAGING_MS, now = Date.now()): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!STAGING_FILE.test(name)) continue;
    const file = join(dir, name);
    try {
      const s = await stat(file);
      if (s.isFile() && now - s.mtimeMs > maxAgeMs) {
        await rm(file, { force: true });
        removed++;
      }
    } catch {
      // Gone meanwhile (committed or discarded by its upload): fine.
    }
  }
  if (removed) logger().info({ dir, removed }, "removed stale dataset staging files");
  return removed;
}

/** Runs cleanStaging at most every ten minutes per folder and process; never fails the caller. */
export function sweepStagingSoon(dir: string): void {
  const now = Date.now();
  if (now - (lastSweep.get(dir) ?? 0) < SWEEP_EVERY_MS) return;
  lastSweep.set(dir, now);
  cleanStaging(dir).catch((err) => logger().warn({ err, dir }, "could not clean the dataset staging folder"));
}
