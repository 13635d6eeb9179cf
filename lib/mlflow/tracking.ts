// MLflow tracking endpoints (/api/2.0/mlflow/experiments/*, runs/*, metrics/*, artifacts/list).
import { z } from "zod";
import type { Actor } from "../auth";
import { invalid } from "../errors";
import {
  archiveExperiment,
  createExperiment,
  createRun,
  decodePageToken,
  deleteExperimentTag,
  deleteRun,
  deleteRunTag,
  encodePageToken,
  experimentIdSchema,
  getExperiment,
  getExperimentByName,
  getMetricHistory,
  getRun,
  getRunIO,
  int64Schema,
  listExperiments,
  listRunArtifacts,
  logBatch,
  logRunInputs,
  logRunOutputs,
  renameExperiment,
  restoreExperiment,
  restoreRun,
  searchRuns,
  setExperimentTags,
  updateRun,
  RUN_STATUSES,
} from "../tracking";
import type { MlflowRoute } from "./protocol";
import {
  experimentWire,
  historyWire,
  kvList,
  kvToRecord,
  optInt,
  runIdOf,
  runInfoWire,
  runWire,
  stringList,
  viewTypeSchema,
} from "./wire";

const str = z.string();
const expId = z.object({ experiment_id: experimentIdSchema });

const experimentRoutes: MlflowRoute[] = [
  {
    method: "GET",
    path: "experiments/get-by-name",
    role: "viewer",
    handler: async ({ input }) => {
      const { experiment_name } = z.object({ experiment_name: str.min(1) }).parse(input);
      return { experiment: experimentWire(await getExperimentByName(experiment_name)) };
    },
  },
  {
    method: "GET",
    path: "experiments/get",
    role: "viewer",
    handler: async ({ input }) => ({ experiment: experimentWire(await getExperiment(expId.parse(input).experiment_id)) }),
  },
  {
    method: "POST",
    path: "experiments/create",
    role: "editor",
    handler: async ({ actor, input }) => {
      const b = z.object({ name: str, artifact_location: str.optional(), tags: kvList }).parse(input);
      if (b.artifact_location) throw invalid("artifact_location is chosen by the server; leave it unset");
      const e = await createExperiment(actor, { name: b.name, tags: kvToRecord(b.tags) });
      return { experiment_id: e.id };
    },
  },
  ...(["POST", "GET"] as const).map(
    (method): MlflowRoute => ({
      method,
      path: "experiments/search",
      role: "viewer",
      handler: async ({ input }) => {
        const b = z
          .object({ max_results: optInt, page_token: str.optional(), filter: str.optional(), view_type: viewTypeSchema, order_by: stringList })
          .parse(input);
        if (b.order_by.length) throw invalid("order_by is not supported for experiments; they come newest first");
        const page = await listExperiments({ view: b.view_type, filter: b.filter ?? "", maxResults: b.max_results ?? 1000, pageToken: b.page_token });
        return { experiments: page.items.map(experimentWire), next_page_token: page.nextPageToken ?? undefined };
      },
    }),
  ),
  {
    method: "POST",
    path: "experiments/update",
    role: "editor",
    handler: async ({ actor, input }) => {
      const b = expId.extend({ new_name: str.optional() }).parse(input);
      if (b.new_name !== undefined) await renameExperiment(actor, b.experiment_id, b.new_name);
      return {};
    },
  },
  {
    method: "POST",
    path: "experiments/delete",
    role: "editor",
    handler: async ({ actor, input }) => (await archiveExperiment(actor, expId.parse(input).experiment_id), {}),
  },
  {
    method: "POST",
    path: "experiments/restore",
    role: "editor",
    handler: async ({ actor, input }) => (await restoreExperiment(actor, expId.parse(input).experiment_id), {}),
  },
  {
    method: "POST",
    path: "experiments/set-experiment-tag",
    role: "editor",
    handler: async ({ actor, input }) => {
      const b = expId.extend({ key: str, value: str }).parse(input);
      await setExperimentTags(actor, b.experiment_id, { [b.key]: b.value });
      return {};
    },
  },
  {
    method: "POST",
    path: "experiments/delete-experiment-tag",
    role: "editor",
    handler: async ({ actor, input }) => {
      const b = expId.extend({ key: str }).parse(input);
      await deleteExperimentTag(actor, b.experiment_id, b.key);
      return {};
    },
  },
];

const runStatus = z.enum(RUN_STATUSES);

/** A POST {run_id, …} whose whole body a lib function reads; answers {}. */
function runWrite(path: string, write: (actor: Actor, runId: string, body: unknown) => Promise<void>): MlflowRoute {
  return {
    method: "POST",
    path,
    role: "editor",
    handler: async ({ actor, input }) => {
      const b = z.object({ run_id: str.min(1, "run_id is required") }).parse(input);
      await write(actor, b.run_id, input);
      return {};
    },
  };
}

const runRoutes: MlflowRoute[] = [
  {
    method: "POST",
    path: "runs/create",
    role: "editor",
    handler: async ({ actor, input }) => {
      const b = z
        .object({ experiment_id: experimentIdSchema.optional(), run_name: str.optional(), start_time: int64Schema.optional(), tags: kvList })
        .parse(input);
      const run = await createRun(actor, {
        experimentId: b.experiment_id,
        name: b.run_name || undefined,
        startTime: b.start_time,
        tags: kvToRecord(b.tags),
      });
      return { run: runWire(run) };
    },
  },
  {
    method: "POST",
    path: "runs/update",
    role: "editor",
    handler: async ({ actor, input }) => {
      const id = runIdOf(input);
      const b = z.object({ status: runStatus.optional(), end_time: int64Schema.optional(), run_name: str.optional() }).parse(input);
      await updateRun(actor, id, { status: b.status, endTime: b.end_time, name: b.run_name || undefined });
      const run = await getRun(id);
      return { run_info: runInfoWire(run, run.tags) };
    },
  },
  {
    method: "GET",
    path: "runs/get",
    role: "viewer",
    handler: async ({ input }) => {
      const id = runIdOf(input);
      const [run, io] = await Promise.all([getRun(id), getRunIO(id)]);
      return { run: runWire(run, io) };
    },
  },
  {
    method: "POST",
    path: "runs/delete",
    role: "editor",
    handler: async ({ actor, input }) => (await deleteRun(actor, runIdOf(input)), {}),
  },
  {
    method: "POST",
    path: "runs/restore",
    role: "editor",
    handler: async ({ actor, input }) => (await restoreRun(actor, runIdOf(input)), {}),
  },
  {
    method: "POST",
    path: "runs/log-metric",
    role: "editor",
    handler: async ({ actor, input }) => {
      const b = z
        .object({
          key: str,
          value: z.unknown().optional(),
          timestamp: z.unknown().optional(),
          step: z.unknown().optional(),
          // MLflow 3: also a metric of this logged model (on this dataset); logBatch checks them.
          model_id: z.unknown().optional(),
          dataset_name: z.unknown().optional(),
          dataset_digest: z.unknown().optional(),
        })
        .parse(input);
      await logBatch(actor, runIdOf(input), { metrics: [b as never] });
      return {};
    },
  },
  {
    method: "POST",
    path: "runs/log-parameter",
    role: "editor",
    handler: async ({ actor, input }) => {
      const b = z.object({ key: str, value: z.unknown().optional() }).parse(input);
      await logBatch(actor, runIdOf(input), { params: [b as never] });
      return {};
    },
  },
  {
    method: "POST",
    path: "runs/set-tag",
    role: "editor",
    handler: async ({ actor, input }) => {
      const b = z.object({ key: str, value: z.unknown().optional() }).parse(input);
      await logBatch(actor, runIdOf(input), { tags: [b as never] });
      return {};
    },
  },
  {
    method: "POST",
    path: "runs/delete-tag",
    role: "editor",
    handler: async ({ actor, input }) => {
      const b = z.object({ key: str }).parse(input);
      await deleteRunTag(actor, runIdOf(input), b.key);
      return {};
    },
  },
  {
    method: "POST",
    path: "runs/log-batch",
    role: "editor",
    handler: async ({ actor, input }) => {
      const b = z.object({ run_id: str.min(1), metrics: z.unknown().optional(), params: z.unknown().optional(), tags: z.unknown().optional() }).parse(input);
      // Zod defaults fill absent lists; the limits and value checks are logBatch's.
      await logBatch(actor, b.run_id, { metrics: b.metrics ?? [], params: b.params ?? [], tags: b.tags ?? [] } as never);
      return {};
    },
  },
  // mlflow.log_input: datasets (linked to our dataset versions when name and digest match) and logged models.
  runWrite("runs/log-inputs", logRunInputs),
  // The logged models a run produced (MLflow 3's log_model calls it after creating the model).
  runWrite("runs/outputs", logRunOutputs),
  {
    method: "POST",
    path: "runs/search",
    role: "viewer",
    handler: async ({ input }) => {
      const b = z
        .object({
          experiment_ids: z.array(z.union([str, z.number()])).default([]),
          filter: str.optional(),
          run_view_type: viewTypeSchema,
          max_results: optInt,
          order_by: stringList,
          page_token: str.optional(),
        })
        .parse(input);
      const page = await searchRuns({
        experimentIds: b.experiment_ids.map(String),
        filter: b.filter ?? "",
        view: b.run_view_type,
        maxResults: b.max_results ?? 1000,
        orderBy: b.order_by,
        pageToken: b.page_token || undefined,
      });
      return { runs: page.items.map((r) => runWire(r)), next_page_token: page.nextPageToken ?? undefined };
    },
  },
  {
    method: "GET",
    path: "metrics/get-history",
    role: "viewer",
    handler: async ({ input }) => {
      const b = z.object({ metric_key: str.min(1), max_results: optInt, page_token: str.optional() }).parse(input);
      const runId = runIdOf(input);
      const points = await getMetricHistory(runId, b.metric_key);
      if (!b.max_results) return { metrics: historyWire(points) };
      const identity = { history: runId, key: b.metric_key };
      const offset = decodePageToken(b.page_token, identity);
      const end = offset + b.max_results;
      return {
        metrics: historyWire(points.slice(offset, end)),
        next_page_token: end < points.length ? encodePageToken(end, identity) : undefined,
      };
    },
  },
  {
    method: "GET",
    path: "artifacts/list",
    role: "viewer",
    handler: async ({ input }) => {
      const b = z.object({ path: str.optional() }).parse(input);
      const runId = runIdOf(input);
      const run = await getRun(runId);
      const entries = await listRunArtifacts(runId, b.path ?? "");
      return {
        root_uri: run.artifactUri,
        files: entries.map((e) => (e.isDir ? { path: e.path, is_dir: true } : { path: e.path, is_dir: false, file_size: e.size })),
      };
    },
  },
];

export const trackingRoutes: MlflowRoute[] = [...experimentRoutes, ...runRoutes];
