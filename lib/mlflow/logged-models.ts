// MLflow 3 logged models (/api/2.0/mlflow/logged-models/...), the calls behind
// mlflow.<flavor>.log_model: create (PENDING) → upload files to the model's artifact folder →
// finalize (READY) → runs/outputs; plus get, search, delete, tags, params and artifact listing.
import { z } from "zod";
import { artifactStore, downloadHeaders, joinArtifactPath, validateArtifactPath } from "../artifacts";
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
} from "../tracking";
import { fileInfos } from "./artifact-paths";
import type { MlflowRoute } from "./protocol";
import { kvList, loggedModelWire, optInt } from "./wire";

const str = z.string();

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
      return { model: loggedModelWire(m) };
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
          datasets: z.array(z.unknown()).default([]),
          max_results: optInt,
          order_by: z.array(z.object({ field_name: str.min(1), ascending: z.boolean().default(true), dataset_name: str.optional() })).default([]),
          page_token: str.optional(),
        })
        .parse(input);
      // Logged-model metrics (and so their datasets) are not kept: a dataset scope would match nothing.
      if (b.datasets.length || b.order_by.some((o) => o.dataset_name)) {
        return { models: [] };
      }
      const page = await searchLoggedModels({
        experimentIds: b.experiment_ids,
        filter: b.filter ?? "",
        orderBy: b.order_by.map((o) => ({ field: o.field_name, ascending: o.ascending })),
        maxResults: b.max_results ?? 50,
        pageToken: b.page_token || undefined,
      });
      return { models: page.items.map(loggedModelWire), next_page_token: page.nextPageToken ?? undefined };
    },
  },
  {
    method: "GET",
    path: "logged-models/:model_id",
    role: "viewer",
    handler: async ({ params }) => ({ model: loggedModelWire(await getLoggedModel(params.model_id!)) }),
  },
  {
    method: "PATCH",
    path: "logged-models/:model_id",
    role: "editor",
    handler: async ({ actor, input, params }) => {
      const b = z.object({ status: z.union([str, z.number()]) }).parse(input);
      return { model: loggedModelWire(await finalizeLoggedModel(actor, params.model_id!, b.status)) };
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
