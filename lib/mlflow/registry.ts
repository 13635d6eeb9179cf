// MLflow model registry endpoints (/api/2.0/mlflow/registered-models/*, model-versions/*).
import { z } from "zod";
import { invalid } from "../errors";
import {
  createModelVersion,
  createRegisteredModel,
  deleteModelAlias,
  deleteModelVersion,
  deleteModelVersionTag,
  deleteRegisteredModel,
  deleteRegisteredModelTag,
  getLatestVersions,
  getModelVersion,
  getModelVersionByAlias,
  getRegisteredModel,
  listRegisteredModels,
  renameRegisteredModel,
  searchModelVersions,
  setModelAlias,
  transitionModelVersionStage,
  updateModelVersion,
  updateRegisteredModel,
} from "../registry";
import type { MlflowRoute } from "./protocol";
import { kvList, kvToRecord, modelVersionWire, optInt, registeredModelWire, stringList } from "./wire";

const str = z.string();
const name = z.object({ name: str.min(1, "name is required") });
const nameVersion = name.extend({ version: z.union([str, z.number()]).transform(String) });
const boolish = z.union([z.boolean(), z.enum(["true", "false", "True", "False"])]).optional().transform((v) => v === true || v === "true" || v === "True");

const search = z.object({ filter: str.optional(), max_results: optInt, order_by: stringList, page_token: str.optional() });

function noOrderBy(order: string[]): void {
  if (order.length) throw invalid("order_by is not supported here; results come in a fixed order");
}

export const registryRoutes: MlflowRoute[] = [
  {
    method: "POST",
    path: "registered-models/create",
    role: "editor",
    handler: async ({ actor, input }) => {
      const b = name.extend({ tags: kvList, description: str.optional() }).parse(input);
      const m = await createRegisteredModel(actor, { name: b.name, description: b.description, tags: kvToRecord(b.tags) });
      return { registered_model: registeredModelWire(m) };
    },
  },
  {
    method: "GET",
    path: "registered-models/get",
    role: "viewer",
    handler: async ({ input }) => ({ registered_model: registeredModelWire(await getRegisteredModel(name.parse(input).name)) }),
  },
  {
    method: "POST",
    path: "registered-models/rename",
    role: "editor",
    handler: async ({ actor, input }) => {
      const b = name.extend({ new_name: str.min(1) }).parse(input);
      return { registered_model: registeredModelWire(await renameRegisteredModel(actor, b.name, b.new_name)) };
    },
  },
  {
    method: "PATCH",
    path: "registered-models/update",
    role: "editor",
    handler: async ({ actor, input }) => {
      const b = name.extend({ description: str.optional() }).parse(input);
      return { registered_model: registeredModelWire(await updateRegisteredModel(actor, b.name, { description: b.description ?? null })) };
    },
  },
  {
    method: "DELETE",
    path: "registered-models/delete",
    role: "editor",
    handler: async ({ actor, input }) => (await deleteRegisteredModel(actor, name.parse(input).name), {}),
  },
  {
    method: "GET",
    path: "registered-models/search",
    role: "viewer",
    handler: async ({ input }) => {
      const b = search.parse(input);
      noOrderBy(b.order_by);
      const page = await listRegisteredModels({ filter: b.filter ?? "", maxResults: b.max_results ?? 100, pageToken: b.page_token || undefined });
      return { registered_models: page.items.map(registeredModelWire), next_page_token: page.nextPageToken ?? undefined };
    },
  },
  ...(["POST", "GET"] as const).map(
    (method): MlflowRoute => ({
      method,
      path: "registered-models/get-latest-versions",
      role: "viewer",
      handler: async ({ input }) => {
        const b = name.extend({ stages: stringList }).parse(input);
        return { model_versions: (await getLatestVersions(b.name, b.stages)).map(modelVersionWire) };
      },
    }),
  ),
  {
    method: "POST",
    path: "registered-models/set-tag",
    role: "editor",
    handler: async ({ actor, input }) => {
      const b = name.extend({ key: str, value: str }).parse(input);
      await updateRegisteredModel(actor, b.name, { tags: { [b.key]: b.value } });
      return {};
    },
  },
  {
    method: "DELETE",
    path: "registered-models/delete-tag",
    role: "editor",
    handler: async ({ actor, input }) => {
      const b = name.extend({ key: str }).parse(input);
      await deleteRegisteredModelTag(actor, b.name, b.key);
      return {};
    },
  },
  {
    method: "POST",
    path: "registered-models/alias",
    role: "editor",
    handler: async ({ actor, input }) => {
      const b = nameVersion.extend({ alias: str }).parse(input);
      await setModelAlias(actor, b.name, b.alias, b.version);
      return {};
    },
  },
  {
    method: "DELETE",
    path: "registered-models/alias",
    role: "editor",
    handler: async ({ actor, input }) => {
      const b = name.extend({ alias: str }).parse(input);
      await deleteModelAlias(actor, b.name, b.alias);
      return {};
    },
  },
  {
    method: "GET",
    path: "registered-models/alias",
    role: "viewer",
    handler: async ({ input }) => {
      const b = name.extend({ alias: str }).parse(input);
      return { model_version: modelVersionWire(await getModelVersionByAlias(b.name, b.alias)) };
    },
  },
  {
    method: "POST",
    path: "model-versions/create",
    role: "editor",
    handler: async ({ actor, input }) => {
      const b = name
        .extend({
          source: str,
          run_id: str.optional(),
          tags: kvList,
          description: str.optional(),
          run_link: str.optional(),
          // MLflow 3: the logged model registered (register_model("models:/<model_id>") sends it).
          model_id: str.optional(),
        })
        .parse(input);
      const v = await createModelVersion(actor, b.name, {
        source: b.source,
        runId: b.run_id || undefined,
        loggedModelId: b.model_id || undefined,
        description: b.description || undefined,
        tags: kvToRecord(b.tags),
      });
      return { model_version: modelVersionWire(v) };
    },
  },
  {
    method: "GET",
    path: "model-versions/get",
    role: "viewer",
    handler: async ({ input }) => {
      const b = nameVersion.parse(input);
      return { model_version: modelVersionWire(await getModelVersion(b.name, b.version)) };
    },
  },
  {
    method: "PATCH",
    path: "model-versions/update",
    role: "editor",
    handler: async ({ actor, input }) => {
      const b = nameVersion.extend({ description: str.optional() }).parse(input);
      return { model_version: modelVersionWire(await updateModelVersion(actor, b.name, b.version, { description: b.description ?? null })) };
    },
  },
  {
    method: "DELETE",
    path: "model-versions/delete",
    role: "editor",
    handler: async ({ actor, input }) => {
      const b = nameVersion.parse(input);
      await deleteModelVersion(actor, b.name, b.version);
      return {};
    },
  },
  {
    method: "GET",
    path: "model-versions/search",
    role: "viewer",
    handler: async ({ input }) => {
      const b = search.parse(input);
      noOrderBy(b.order_by);
      const page = await searchModelVersions({ filter: b.filter ?? "", maxResults: b.max_results ?? 1000, pageToken: b.page_token || undefined });
      return { model_versions: page.items.map(modelVersionWire), next_page_token: page.nextPageToken ?? undefined };
    },
  },
  {
    method: "POST",
    path: "model-versions/transition-stage",
    role: "editor",
    handler: async ({ actor, input }) => {
      const b = nameVersion.extend({ stage: str, archive_existing_versions: boolish }).parse(input);
      const v = await transitionModelVersionStage(actor, b.name, b.version, { stage: b.stage, archiveExistingVersions: b.archive_existing_versions });
      return { model_version: modelVersionWire(v) };
    },
  },
  {
    method: "GET",
    path: "model-versions/get-download-uri",
    role: "viewer",
    handler: async ({ input }) => {
      const b = nameVersion.parse(input);
      return { artifact_uri: (await getModelVersion(b.name, b.version)).source };
    },
  },
  {
    method: "POST",
    path: "model-versions/set-tag",
    role: "editor",
    handler: async ({ actor, input }) => {
      const b = nameVersion.extend({ key: str, value: str }).parse(input);
      await updateModelVersion(actor, b.name, b.version, { tags: { [b.key]: b.value } });
      return {};
    },
  },
  {
    method: "DELETE",
    path: "model-versions/delete-tag",
    role: "editor",
    handler: async ({ actor, input }) => {
      const b = nameVersion.extend({ key: str }).parse(input);
      await deleteModelVersionTag(actor, b.name, b.version, b.key);
      return {};
    },
  },
];
