// Where a proxied artifact path lives. A run's artifact_uri `mlflow-artifacts:/<experiment>/<run>/artifacts`
// and a logged model's `mlflow-artifacts:/<experiment>/models/<model_id>/artifacts` resolve here;
// uploads go only into the folder of an existing, active run or logged model, and every path is
// validated before anything is written.
import { joinArtifactPath, validateArtifactPath, type ArtifactEntry } from "../artifacts";
import { invalid, notFound } from "../errors";
import { getExperiment, getRunInfo, requireLoggedModelInExperiment, storePathOfUri } from "../tracking";

/** Store path of a proxied artifact path; writes need `<experiment>/<run>/artifacts/<file>` of an active run (or a logged model's folder). */
export async function resolvePath(path: string, opts: { write?: boolean; allowRoot?: boolean } = {}): Promise<string> {
  const rel = validateArtifactPath(path, { allowRoot: opts.allowRoot });
  if (rel === "") return storePathOfUri("mlflow-artifacts:/");
  const [exp, owner, folder, ...rest] = rel.split("/");
  if (!/^\d{1,9}$/.test(exp!)) throw notFound("Artifact", rel);
  await getExperiment(exp!);
  if (opts.write) {
    if (owner === "models") {
      // <experiment>/models/<model_id>/artifacts/<file>: a logged model's folder (MLflow 3).
      if (!folder || rest[0] !== "artifacts" || rest.length < 2) {
        throw invalid(`Logged model artifacts are uploaded to <experiment_id>/models/<model_id>/artifacts/<path>, not '${rel}'`);
      }
      await requireLoggedModelInExperiment(exp!, folder);
    } else {
      if (!owner || folder !== "artifacts" || rest.length === 0) {
        throw invalid(`Artifacts are uploaded to <experiment_id>/<run_id>/artifacts/<path>, not '${rel}'`);
      }
      const info = await getRunInfo(owner);
      if (info.experimentId !== exp) throw notFound("Run", `${exp}/${owner}`);
      if (info.lifecycleStage !== "active") throw invalid(`Run '${owner}' is archived; restore it before uploading`);
    }
  }
  return storePathOfUri(`mlflow-artifacts:/${rel}`);
}

/** MLflow's FileInfo list of a folder; `prefix` is put before each name (a path relative to some root). */
export function fileInfos(entries: ArtifactEntry[], prefix = ""): Record<string, unknown>[] {
  const name = (p: string) => joinArtifactPath(prefix, p.slice(p.lastIndexOf("/") + 1));
  return entries.map((e) => (e.isDir ? { path: name(e.path), is_dir: true } : { path: name(e.path), is_dir: false, file_size: e.size }));
}
