// The one way to artifacts: ARTIFACT_STORE picks the backend by scheme.
//   file:<folder>   a local folder (default file:./data/artifacts)
//   db:             the ArtifactBlob table, for several replicas without a shared disk
import { config } from "../config";
import { DbArtifactStore } from "./db-store";
import { FileArtifactStore } from "./file-store";
import type { ArtifactStore } from "./types";

export type { ArtifactData, ArtifactEntry, ArtifactStore, StoredArtifact } from "./types";
export { joinArtifactPath, validateArtifactPath } from "./paths";
export { contentTypeFor, downloadHeaders } from "./content-type";
export { DbArtifactStore } from "./db-store";
export { FileArtifactStore } from "./file-store";

export function createArtifactStore(url: string, maxBytes = config().MAX_ARTIFACT_BYTES): ArtifactStore {
  if (url.startsWith("file:")) {
    const folder = url.slice("file:".length).replace(/^\/\/(?=\/)/, "");
    if (!folder) throw new Error("ARTIFACT_STORE 'file:' needs a folder, e.g. file:./data/artifacts");
    return new FileArtifactStore(folder, maxBytes);
  }
  if (url === "db:" || url === "db://") return new DbArtifactStore(maxBytes);
  throw new Error(`ARTIFACT_STORE '${url}' is not supported: use file:<folder> or db:`);
}

const g = globalThis as unknown as { __mlopsArtifacts?: { url: string; store: ArtifactStore } };

/** The configured store (cached; a changed ARTIFACT_STORE, as in tests, builds a new one). */
export function artifactStore(): ArtifactStore {
  const url = config().ARTIFACT_STORE;
  if (!g.__mlopsArtifacts || g.__mlopsArtifacts.url !== url) {
    g.__mlopsArtifacts = { url, store: createArtifactStore(url) };
  }
  return g.__mlopsArtifacts.store;
}
