// Run artifacts: each run has a folder in the ArtifactStore. A run's artifactUri
// `mlflow-artifacts:/<experimentId>/<runId>/artifacts` is stored at `experiments/<experimentId>/<runId>/artifacts`.
import { artifactStore, joinArtifactPath, validateArtifactPath, type ArtifactData, type ArtifactEntry, type StoredArtifact } from "../artifacts";
import { requireRole, type Actor } from "../auth";
import { transaction } from "../db";
import { invalid } from "../errors";
import { getRunInfo, requireRun } from "./runs";

const SCHEME = "mlflow-artifacts:/";
export const TRACKING_ARTIFACT_ROOT = "experiments";

/** Store path of an `mlflow-artifacts:/…` URI (the part after the scheme, under experiments/). */
export function storePathOfUri(uri: string): string {
  if (!uri.startsWith(SCHEME)) throw invalid(`'${uri}' is not an mlflow-artifacts:/ URI`);
  const rest = uri.slice(SCHEME.length).replace(/^\/+/, "");
  return joinArtifactPath(TRACKING_ARTIFACT_ROOT, rest === "" ? "" : validateArtifactPath(rest));
}

async function runRoot(runId: string, opts: { active?: boolean } = {}): Promise<string> {
  if (opts.active) {
    const run = await transaction((tx) => requireRun(tx, runId, { active: true }));
    return storePathOfUri(run.artifactUri);
  }
  return storePathOfUri((await getRunInfo(runId)).artifactUri);
}

/** Writes one file into the run's artifact folder; `path` is relative to that folder. */
export async function uploadRunArtifact(actor: Actor | null, runId: string, path: string, data: ArtifactData): Promise<StoredArtifact> {
  if (actor) requireRole(actor, "editor");
  const rel = validateArtifactPath(path);
  const root = await runRoot(runId, { active: true });
  const stored = await artifactStore().put(joinArtifactPath(root, rel), data);
  return { ...stored, path: rel };
}

/** Direct children of a folder of the run's artifacts ("" = the top), with paths relative to the run. */
export async function listRunArtifacts(runId: string, path = "", opts: { recursive?: boolean } = {}): Promise<ArtifactEntry[]> {
  const rel = validateArtifactPath(path, { allowRoot: true });
  const root = await runRoot(runId);
  const entries = await artifactStore().list(joinArtifactPath(root, rel), opts);
  return entries.map((e) => ({ ...e, path: e.path.slice(root.length + 1) }));
}

export async function openRunArtifact(runId: string, path: string): Promise<{ stream: ReadableStream<Uint8Array>; size: number }> {
  const rel = validateArtifactPath(path);
  return artifactStore().getStream(joinArtifactPath(await runRoot(runId), rel));
}

export async function readRunArtifact(runId: string, path: string): Promise<Buffer> {
  const rel = validateArtifactPath(path);
  return artifactStore().get(joinArtifactPath(await runRoot(runId), rel));
}

export async function deleteRunArtifact(actor: Actor | null, runId: string, path: string): Promise<number> {
  if (actor) requireRole(actor, "editor");
  const rel = validateArtifactPath(path);
  return artifactStore().delete(joinArtifactPath(await runRoot(runId, { active: true }), rel));
}
