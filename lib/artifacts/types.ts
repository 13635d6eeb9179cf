/** One entry of a listing: a file (with its size) or a folder (size null). */
export interface ArtifactEntry {
  path: string;
  isDir: boolean;
  size: number | null;
}

export interface StoredArtifact {
  path: string;
  size: number;
  sha256: string;
}

/** What `put` accepts: bytes, text, or a stream of chunks (an HTTP request body). */
export type ArtifactData = Uint8Array | string | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/**
 * Where artifacts (model files, datasets, reports) live. Paths are relative, slash-separated and
 * validated by every backend (`validateArtifactPath`): a rejected path writes nothing.
 */
export interface ArtifactStore {
  readonly kind: "file" | "db";
  /** Writes the whole object or nothing; replaces an existing file at the same path. */
  put(path: string, data: ArtifactData, opts?: { maxBytes?: number }): Promise<StoredArtifact>;
  get(path: string): Promise<Buffer>;
  getStream(path: string): Promise<{ stream: ReadableStream<Uint8Array>; size: number }>;
  /** Size of a file, or null when there is no file at the path. */
  stat(path: string): Promise<{ size: number } | null>;
  /** Direct children of a folder ("" is the root); `recursive` lists every file below it instead. */
  list(prefix: string, opts?: { recursive?: boolean }): Promise<ArtifactEntry[]>;
  /** Deletes a file or a folder with everything in it; returns how many files went. */
  delete(path: string): Promise<number>;
}
