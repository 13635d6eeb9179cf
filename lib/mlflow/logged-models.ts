// MLflow 3 logged models (/api/2.0/mlflow/logged-models/...), the calls behind
// mlflow.<flavor>.log_model: create (PENDING) → upload files to the model's artifact folder →
// finalize (READY) → runs/outputs; plus get, search, delete, tags, params and artifact listing.
// A model is answered with its metrics (points runs logged with its model_id) and its registrations
// (the model versions registered from it).
import { z } from "zod";
import { artifactStore, downloadHeaders, joinArtifactPath, validateArtifactPath } from "../artifacts";
import { loggedModelRegistrations } from "../registry";
import {
  createLoggedModel,
  deleteLoggedModel,
  deleteLoggedModelTag,
  finalizeLoggedModel,
  getLoggedModel,
  logLoggedModelParams,
  searchLoggedModels,
  setLoggedModelTags,
  storePathOfUri,
  type LoggedModel,
} from "../tracking";
import { fileInfos } from "./artifact-paths";
import type { MlflowRoute } from "./protocol";
import { kvList, loggedModelWire, optInt } from "./wire";

const str = z.string();

/** Logged models on the wire, with their registrations (one registry query for them all). */
async function modelsWire(models: LoggedModel[]) {
  const registrations = await loggedModelRegistrations(models.map((m) => m.id));
  return models.map((m) => loggedModelWire(m, registrations.get(m.id)));
}

const modelWire = async (m: LoggedModel) => (await modelsWire([m]))[0]!;

export const loggedModelRoutes: MlflowRoute[] = [
  {
    method: "POST",
    path: "logged-models",
    role: "editor",
    handler: async ({ actor, input }) => {
      const b = z
        .object({
          experiment_id: z.union([str, z.number()]).transform(String),
          name: str.optional(),
          model_type: str.optional(),
          source_run_id: str.optional(),
          params: kvList,
          tags: kvList,
        })
        .parse(input);
      const m = await createLoggedModel(actor, {
        experimentId: b.experiment_id,
        name: b.name || undefined,
        modelType: b.model_type || undefined,
        sourceRunId: b.source_run_id || undefined,
        params: b.params,
        tags: b.tags,
      });
      return { model: await modelWire(m) };
    },
  },
  {
    method: "POST",
    path: "logged-models/search",
    role: "viewer",
    handler: async ({ input }) => {
      const b = z
        .object({
          experiment_ids: z.array(z.union([str, z.number()]).transform(String)).min(1, "experiment_ids is required"),
          filter: str.optional(),
          datasets: z.array(z.object({ dataset_name: str.default(""), dataset_digest: str.optional() })).default([]),
          max_results: optInt,
          order_by: z
            .array(
              z.object({
                field_name: str.min(1),
                ascending: z.boolean().default(true),
                dataset_name: str.optional(),
                dataset_digest: str.optional(),
              }),
            )
            .default([]),
          page_token: str.optional(),
        })
        .parse(input);
      const page = await searchLoggedModels({
        experimentIds: b.experiment_ids,
        filter: b.filter ?? "",
        datasets: b.datasets.map((d) => ({ datasetName: d.dataset_name, datasetDigest: d.dataset_digest || undefined })),
        orderBy: b.order_by.map((o) => ({
          field: o.field_name,
          ascending: o.ascending,
          datasetName: o.dataset_name || undefined,
          datasetDigest: o.dataset_digest || undefined,
        })),
        maxResults: b.max_results ?? 50,
        pageToken: b.page_token || undefined,
      });
      return { models: await modelsWire(page.items), next_page_token: page.nextPageToken ?? undefined };
    },
  },
  {
    method: "GET",
    path: "logged-models/:model_id",
    role: "viewer",
    handler: async ({ params }) => ({ model: await modelWire(await getLoggedModel(params.model_id!)) }),
  },
  {
    method: "PATCH",
    path: "logged-models/:model_id",
    role: "editor",
    handler: async ({ actor, input, params }) => {
      const b = z.object({ status: z.union([str, z.number()]) }).parse(input);
      return { model: await modelWire(await finalizeLoggedModel(actor, params.model_id!, b.status)) };
    },
  },
  {
    method: "DELETE",
    path: "logged-models/:model_id",
    role: "editor",
    handler: async ({ actor, params }) => (await deleteLoggedModel(actor, params.model_id!), {}),
  },
  {
    method: "PATCH",
    path: "logged-models/:model_id/tags",
    role: "editor",
    handler: async ({ actor, input, params }) => {
      const b = z.object({ tags: kvList }).parse(input);
      await setLoggedModelTags(actor, params.model_id!, b.tags);
      return {};
    },
  },
  {
    // Tag keys may hold '/', so the key is the rest of the path.
    method: "DELETE",
    path: "logged-models/:model_id/tags/*",
    role: "editor",
    handler: async ({ actor, params, rest }) => (await deleteLoggedModelTag(actor, params.model_id!, rest.map(decodeURIComponent).join("/")), {}),
  },
  {
    method: "POST",
    path: "logged-models/:model_id/params",
    role: "editor",
    handler: async ({ actor, input, params }) => {
      const b = z.object({ params: kvList }).parse(input);
      await logLoggedModelParams(actor, params.model_id!, b.params);
      return {};
    },
  },
  {
    method: "GET",
    path: "logged-models/:model_id/artifacts/directories",
    role: "viewer",
    handler: async ({ input, params }) => {
      const b = z.object({ artifact_directory_path: str.optional() }).parse(input);
      const m = await getLoggedModel(params.model_id!);
      const dir = validateArtifactPath((b.artifact_directory_path ?? "").replace(/^\/+|\/+$/g, ""), { allowRoot: true });
      const entries = await artifactStore().list(joinArtifactPath(storePathOfUri(m.artifactUri), dir));
      return { root_uri: m.artifactUri, files: fileInfos(entries, dir) };
    },
  },
  {
    method: "GET",
    path: "logged-models/:model_id/artifacts/files",
    role: "viewer",
    handler: async ({ input, params }) => {
      const b = z.object({ artifact_file_path: str.min(1, "artifact_file_path is required") }).parse(input);
      const m = await getLoggedModel(params.model_id!);
      const rel = validateArtifactPath(b.artifact_file_path);
      const { stream, size } = await artifactStore().getStream(joinArtifactPath(storePathOfUri(m.artifactUri), rel));
      return new Response(stream, { headers: downloadHeaders(rel, size) });
    },
  },
];
