// MLflow's artifact proxy (/api/2.0/mlflow-artifacts/artifacts/...). A run's artifact_uri
// `mlflow-artifacts:/<experiment>/<run>/artifacts` resolves here; uploads go only into the
// folder of an existing, active run, and every path is validated before anything is written.
import { z } from "zod";
import { artifactStore, downloadHeaders, validateArtifactPath } from "../artifacts";
import { config } from "../config";
import { AppError, invalid, notFound } from "../errors";
import { getExperiment, getRunInfo, storePathOfUri } from "../tracking";
import type { MlflowRoute } from "./protocol";

/** Store path of a proxied artifact path; writes need `<experiment>/<run>/artifacts/<file>` of an active run. */
async function resolvePath(path: string, opts: { write?: boolean; allowRoot?: boolean } = {}): Promise<string> {
  const rel = validateArtifactPath(path, { allowRoot: opts.allowRoot });
  if (rel === "") return storePathOfUri("mlflow-artifacts:/");
  const [exp, run, folder, ...rest] = rel.split("/");
  if (!/^\d{1,9}$/.test(exp!)) throw notFound("Artifact", rel);
  await getExperiment(exp!);
  if (opts.write) {
    if (!run || folder !== "artifacts" || rest.length === 0) {
      throw invalid(`Artifacts are uploaded to <experiment_id>/<run_id>/artifacts/<path>, not '${rel}'`);
    }
    const info = await getRunInfo(run);
    if (info.experimentId !== exp) throw notFound("Run", `${exp}/${run}`);
    if (info.lifecycleStage !== "active") throw invalid(`Run '${run}' is archived; restore it before uploading`);
  }
  return storePathOfUri(`mlflow-artifacts:/${rel}`);
}

export const artifactRoutes: MlflowRoute[] = [
  {
    method: "PUT",
    path: "artifacts/*",
    role: "editor",
    body: "raw",
    handler: async ({ req, rest }) => {
      const target = await resolvePath(rest.join("/"), { write: true });
      const limit = config().MAX_ARTIFACT_BYTES;
      if (Number(req.headers.get("content-length") ?? 0) > limit) {
        throw new AppError("payload_too_large", `Artifact is over the ${limit}-byte limit`);
      }
      await artifactStore().put(target, req.body ?? new Uint8Array(), { maxBytes: limit });
      return {};
    },
  },
  {
    method: "GET",
    path: "artifacts/*",
    role: "viewer",
    handler: async ({ rest }) => {
      const path = rest.join("/");
      const { stream, size } = await artifactStore().getStream(await resolvePath(path));
      return new Response(stream, { headers: downloadHeaders(path, size) });
    },
  },
  {
    method: "DELETE",
    path: "artifacts/*",
    role: "editor",
    handler: async ({ rest }) => {
      const target = await resolvePath(rest.join("/"), { write: true });
      if (!(await artifactStore().delete(target))) throw notFound("Artifact", rest.join("/"));
      return {};
    },
  },
  {
    method: "GET",
    path: "artifacts",
    role: "viewer",
    handler: async ({ input }) => {
      const { path } = z.object({ path: z.string().optional() }).parse(input);
      const rel = (path ?? "").replace(/^\/+|\/+$/g, "");
      const entries = await artifactStore().list(await resolvePath(rel, { allowRoot: true }));
      const base = (p: string) => p.slice(p.lastIndexOf("/") + 1);
      return {
        files: entries.map((e) => (e.isDir ? { path: base(e.path), is_dir: true } : { path: base(e.path), is_dir: false, file_size: e.size })),
      };
    },
  },
];
