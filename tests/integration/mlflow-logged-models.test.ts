// MLflow 3's logged models and run inputs/outputs, replayed as the Python client sends them
// (RestStore of mlflow 3): mlflow.<flavor>.log_model is POST logged-models → POST runs/outputs →
// PUT mlflow-artifacts/artifacts/<exp>/models/<id>/artifacts/... → PATCH logged-models/<id>
// (finalize) → register_model("models:/<id>"); mlflow.log_input is POST runs/log-inputs.
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { uid } from "../support/factories";
import { mlflowTestEnv, startMlflowRun } from "../support/mlflow";

const env = mlflowTestEnv("mlflow-lm");
const startRun = () => startMlflowRun(env.client);

describe("mlflow.<flavor>.log_model (MLflow 3 logged models)", () => {
  it("create → outputs → upload → finalize → get, with MLflow's wire format", async () => {
    const { call, artifacts } = env.client;
    const { experimentId, runId } = await startRun();

    const created = await call("POST", "logged-models", {
      experiment_id: experimentId,
      name: "model",
      source_run_id: runId,
      params: [{ key: "alpha", value: "0.5" }],
      tags: [{ key: "mlflow.source.name", value: "train.py" }],
      model_type: "",
    });
    expect(created.status).toBe(200);
    const model = created.body.model;
    const modelId = model.info.model_id as string;
    expect(modelId).toMatch(/^m-[0-9a-f]{32}$/);
    expect(model).toEqual({
      info: {
        model_id: modelId,
        experiment_id: experimentId,
        name: "model",
        creation_timestamp_ms: expect.any(Number),
        last_updated_timestamp_ms: expect.any(Number),
        artifact_uri: `mlflow-artifacts:/${experimentId}/models/${modelId}/artifacts`,
        status: "LOGGED_MODEL_PENDING",
        source_run_id: runId,
        tags: [{ key: "mlflow.source.name", value: "train.py" }],
      },
      data: { params: [{ key: "alpha", value: "0.5" }] },
    });

    expect((await call("POST", "runs/outputs", { run_id: runId, models: [{ model_id: modelId, step: 0 }] })).body).toEqual({});

    const root = `artifacts/${experimentId}/models/${modelId}/artifacts`;
    const mlmodel = "flavors:\n  python_function: {}\n";
    expect((await artifacts("PUT", `${root}/MLmodel`, { data: mlmodel })).status).toBe(200);
    expect((await artifacts("PUT", `${root}/data/model.pkl`, { data: new Uint8Array([7, 8, 9]) })).status).toBe(200);

    const listed = await call("GET", `logged-models/${modelId}/artifacts/directories`, {});
    expect(listed.body).toEqual({
      root_uri: `mlflow-artifacts:/${experimentId}/models/${modelId}/artifacts`,
      files: [
        { path: "MLmodel", is_dir: false, file_size: Buffer.byteLength(mlmodel) },
        { path: "data", is_dir: true },
      ],
    });
    const sub = await call("GET", `logged-models/${modelId}/artifacts/directories`, { artifact_directory_path: "data" });
    expect(sub.body.files).toEqual([{ path: "data/model.pkl", is_dir: false, file_size: 3 }]);
    const file = await artifacts("GET", `${root}/data/model.pkl`);
    expect([...file.bytes]).toEqual([7, 8, 9]);

    const finalized = await call("PATCH", `logged-models/${modelId}`, { model_id: modelId, status: "LOGGED_MODEL_READY" });
    expect(finalized.status).toBe(200);
    expect(finalized.body.model.info.status).toBe("LOGGED_MODEL_READY");
    const got = await call("GET", `logged-models/${modelId}`);
    expect(got.body.model.info.status).toBe("LOGGED_MODEL_READY");

    const run = await call("GET", "runs/get", { run_id: runId });
    expect(run.body.run.outputs).toEqual({ model_outputs: [{ model_id: modelId, step: 0 }] });
    expect(run.body.run.inputs).toEqual({});

    // register_model("models:/<id>", name)
    const name = `lm-reg-${uid()}`;
    await call("POST", "registered-models/create", { name });
    const mv = await call("POST", "model-versions/create", { name, source: `models:/${modelId}`, run_id: runId, model_id: modelId });
    expect(mv.status).toBe(200);
    expect(mv.body.model_version).toMatchObject({ version: "1", source: `models:/${modelId}`, model_id: modelId, status: "READY" });
  });

  it("sets and deletes tags, logs params (immutable), searches and deletes", async () => {
    const { call } = env.client;
    const { experimentId, runId } = await startRun();
    const a = (await call("POST", "logged-models", { experiment_id: experimentId, name: "alpha", source_run_id: runId })).body.model.info;
    const b = (await call("POST", "logged-models", { experiment_id: experimentId, params: [{ key: "depth", value: "4" }] })).body.model.info;
    expect(b.name).toMatch(/^[a-z]+-[a-z]+-\d+$/); // generated when none is given

    expect((await call("PATCH", `logged-models/${a.model_id}/tags`, { tags: [{ key: "team", value: "risk" }, { key: "a/b", value: "x" }] })).body).toEqual({});
    expect((await call("DELETE", `logged-models/${a.model_id}/tags/a/b`)).body).toEqual({});
    expect((await call("GET", `logged-models/${a.model_id}`)).body.model.info.tags).toEqual([{ key: "team", value: "risk" }]);

    expect((await call("POST", `logged-models/${b.model_id}/params`, { model_id: b.model_id, params: [{ key: "depth", value: "4" }] })).status).toBe(200);
    const changed = await call("POST", `logged-models/${b.model_id}/params`, { model_id: b.model_id, params: [{ key: "depth", value: "5" }] });
    expect(changed.status).toBe(400);
    expect(changed.body.error_code).toBe("INVALID_PARAMETER_VALUE");

    const byName = await call("POST", "logged-models/search", { experiment_ids: [experimentId], filter: "name = 'alpha'" });
    expect(byName.body.models.map((m: { info: { model_id: string } }) => m.info.model_id)).toEqual([a.model_id]);
    const byParam = await call("POST", "logged-models/search", { experiment_ids: [experimentId], filter: "params.depth = '4'" });
    expect(byParam.body.models.map((m: { info: { model_id: string } }) => m.info.model_id)).toEqual([b.model_id]);
    const ordered = await call("POST", "logged-models/search", {
      experiment_ids: [experimentId],
      order_by: [{ field_name: "creation_timestamp", ascending: true }],
      max_results: 1,
    });
    expect(ordered.body.models).toHaveLength(1);
    expect(ordered.body.next_page_token).toEqual(expect.any(String));
    const page2 = await call("POST", "logged-models/search", {
      experiment_ids: [experimentId],
      order_by: [{ field_name: "creation_timestamp", ascending: true }],
      max_results: 1,
      page_token: ordered.body.next_page_token,
    });
    expect(page2.body.models).toHaveLength(1);
    expect(page2.body.models[0].info.model_id).not.toBe(ordered.body.models[0].info.model_id);
    const bad = await call("POST", "logged-models/search", { experiment_ids: [experimentId], filter: "name = " });
    expect(bad.status).toBe(400);

    expect((await call("DELETE", `logged-models/${a.model_id}`)).body).toEqual({});
    const gone = await call("GET", `logged-models/${a.model_id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error_code).toBe("RESOURCE_DOES_NOT_EXIST");
    const left = await call("POST", "logged-models/search", { experiment_ids: [experimentId] });
    expect(left.body.models.map((m: { info: { model_id: string } }) => m.info.model_id)).toEqual([b.model_id]);
  });

  it("refuses bad input: unknown ids, a bad status, uploads outside a model's folder", async () => {
    const { call, artifacts } = env.client;
    const { experimentId, runId } = await startRun();
    expect((await call("POST", "logged-models", { experiment_id: "999999" })).status).toBe(404);
    expect((await call("POST", "logged-models", { experiment_id: experimentId, source_run_id: "f".repeat(32) })).status).toBe(404);
    expect((await call("GET", "logged-models/m-nope")).status).toBe(404);
    const m = (await call("POST", "logged-models", { experiment_id: experimentId })).body.model.info;
    const pending = await call("PATCH", `logged-models/${m.model_id}`, { status: "LOGGED_MODEL_PENDING" });
    expect(pending.status).toBe(400);
    expect((await call("PATCH", `logged-models/${m.model_id}`, { status: "NOPE" })).status).toBe(400);
    expect((await call("PATCH", `logged-models/${m.model_id}`, { status: 3 })).body.model.info.status).toBe("LOGGED_MODEL_UPLOAD_FAILED");

    const other = await startRun();
    // A model id under another experiment, an unknown model, the folder itself, traversal.
    for (const path of [
      `artifacts/${other.experimentId}/models/${m.model_id}/artifacts/MLmodel`,
      `artifacts/${experimentId}/models/m-${"0".repeat(32)}/artifacts/MLmodel`,
    ]) {
      expect((await artifacts("PUT", path, { data: "x" })).status).toBe(404);
    }
    for (const path of [`artifacts/${experimentId}/models/${m.model_id}/MLmodel`, `artifacts/${experimentId}/models/${m.model_id}/artifacts/../x`]) {
      expect((await artifacts("PUT", path, { data: "x" })).status).toBe(400);
    }
    expect((await call("POST", "runs/outputs", { run_id: runId, models: [{ model_id: "m-nope", step: 0 }] })).status).toBe(404);
  });
});

describe("metrics of logged models (log_metric / log_metrics with model_id)", () => {
  const idsOf = (r: { body: { models?: { info: { model_id: string } }[] } }) => (r.body.models ?? []).map((m) => m.info.model_id);

  it("log-metric and log-batch with model_id → the model's data.metrics, in get and search", async () => {
    const { call } = env.client;
    const { experimentId, runId } = await startRun();
    const modelId = (await call("POST", "logged-models", { experiment_id: experimentId, name: "model", source_run_id: runId })).body.model.info.model_id;
    const other = (await call("POST", "logged-models", { experiment_id: experimentId, name: "other" })).body.model.info.model_id;

    // mlflow.log_metric("accuracy", 0.91, step=1, model_id=..., dataset=eval_ds): RestStore's LogMetric.
    const logged = await call("POST", "runs/log-metric", {
      run_uuid: runId,
      run_id: runId,
      key: "accuracy",
      value: 0.91,
      timestamp: 1_700_000_000_000,
      step: 1,
      model_id: modelId,
      dataset_name: "eval_ds",
      dataset_digest: "1a2b3c4d",
    });
    expect(logged.status).toBe(200);
    expect(logged.body).toEqual({});
    // mlflow.log_metrics({...}, model_id=...): one LogBatch whose Metric messages carry model_id; a
    // point for another model, one for none, NaN, and the same point again (kept once, as MLflow's key).
    const batch = await call("POST", "runs/log-batch", {
      run_id: runId,
      metrics: [
        { key: "accuracy", value: 0.95, timestamp: 1_700_000_000_500, step: 2, model_id: modelId, dataset_name: "eval_ds", dataset_digest: "1a2b3c4d" },
        { key: "loss", value: "NaN", timestamp: 1_700_000_000_500, step: 2, model_id: modelId },
        { key: "gain", value: "-Infinity", timestamp: 1_700_000_000_500, step: 2, model_id: modelId, dataset_name: "", dataset_digest: "" },
        { key: "accuracy", value: 0.5, timestamp: 1_700_000_000_600, step: 0, model_id: other, dataset_name: "eval_ds", dataset_digest: "ffff0000" },
        { key: "plain", value: 1, timestamp: 1_700_000_000_600, step: 0 },
        { key: "accuracy", value: 0.91, timestamp: 1_700_000_000_000, step: 1, model_id: modelId, dataset_name: "eval_ds", dataset_digest: "1a2b3c4d" },
      ],
      params: [],
      tags: [],
    });
    expect(batch.status).toBe(200);

    const got = await call("GET", `logged-models/${modelId}`);
    expect(got.status).toBe(200);
    expect(got.body.model.data.metrics).toEqual([
      { key: "accuracy", value: 0.91, timestamp: 1_700_000_000_000, step: 1, dataset_name: "eval_ds", dataset_digest: "1a2b3c4d", model_id: modelId, run_id: runId },
      { key: "accuracy", value: 0.95, timestamp: 1_700_000_000_500, step: 2, dataset_name: "eval_ds", dataset_digest: "1a2b3c4d", model_id: modelId, run_id: runId },
      { key: "gain", value: "-Infinity", timestamp: 1_700_000_000_500, step: 2, model_id: modelId, run_id: runId },
      { key: "loss", value: "NaN", timestamp: 1_700_000_000_500, step: 2, model_id: modelId, run_id: runId },
    ]);
    expect((await call("GET", `logged-models/${other}`)).body.model.data.metrics).toEqual([
      { key: "accuracy", value: 0.5, timestamp: 1_700_000_000_600, step: 0, dataset_name: "eval_ds", dataset_digest: "ffff0000", model_id: other, run_id: runId },
    ]);
    // They stay the run's metrics too.
    const run = (await call("GET", "runs/get", { run_id: runId })).body.run;
    expect(Object.fromEntries(run.data.metrics.map((m: { key: string; value: unknown }) => [m.key, m.value]))).toEqual({
      accuracy: 0.95,
      gain: "-Infinity",
      loss: "NaN",
      plain: 1,
    });
    expect((await call("GET", "metrics/get-history", { run_id: runId, metric_key: "accuracy" })).body.metrics).toHaveLength(4);

    const search = (body: Record<string, unknown>) => call("POST", "logged-models/search", { experiment_ids: [experimentId], ...body });
    const all = await search({});
    expect(all.body.models.find((m: { info: { model_id: string } }) => m.info.model_id === modelId).data.metrics).toHaveLength(4);
    expect(idsOf(await search({ filter: "metrics.accuracy > 0.9" }))).toEqual([modelId]);
    // (Models made in the same millisecond have no fixed order: compare those as sets.)
    const sorted = (r: Parameters<typeof idsOf>[0]) => idsOf(r).sort();
    expect(sorted(await search({ filter: "metrics.accuracy >= 0.5" }))).toEqual([other, modelId].sort());
    // datasets scope the metric conditions; alone they keep the models with a metric on them.
    expect(idsOf(await search({ filter: "metrics.accuracy > 0.1", datasets: [{ dataset_name: "eval_ds", dataset_digest: "ffff0000" }] }))).toEqual([other]);
    expect(idsOf(await search({ datasets: [{ dataset_name: "eval_ds", dataset_digest: "1a2b3c4d" }] }))).toEqual([modelId]);
    expect(sorted(await search({ datasets: [{ dataset_name: "eval_ds" }] }))).toEqual([other, modelId].sort());
    expect(idsOf(await search({ datasets: [{ dataset_name: "unknown" }] }))).toEqual([]);
    // Order by a metric: each model's newest point; ascending and descending.
    expect(idsOf(await search({ order_by: [{ field_name: "metrics.accuracy", ascending: true }] }))).toEqual([other, modelId]);
    expect(idsOf(await search({ order_by: [{ field_name: "metrics.accuracy", ascending: false }] }))).toEqual([modelId, other]);
    const third = (await call("POST", "logged-models", { experiment_id: experimentId, name: "third" })).body.model.info.model_id;
    // A model without the metric comes last either way.
    expect(idsOf(await search({ order_by: [{ field_name: "metrics.accuracy", ascending: false }] }))).toEqual([modelId, other, third]);
    // On one dataset: only modelId has a point there; the others follow it.
    const onEval = await search({ order_by: [{ field_name: "metrics.accuracy", ascending: true, dataset_name: "eval_ds", dataset_digest: "1a2b3c4d" }] });
    expect(idsOf(onEval)[0]).toBe(modelId);
    expect(idsOf(onEval).slice(1).sort()).toEqual([other, third].sort());
    const noName = await search({ datasets: [{ dataset_digest: "1a2b3c4d" }] });
    expect(noName.status).toBe(400);
    expect(noName.body.error_code).toBe("INVALID_PARAMETER_VALUE");
    expect((await search({ order_by: [{ field_name: "params.alpha" }] })).status).toBe(400);
  });

  it("refuses an unknown or deleted model_id with RESOURCE_DOES_NOT_EXIST and stores nothing", async () => {
    const { call } = env.client;
    const { experimentId, runId } = await startRun();
    const gone = (await call("POST", "logged-models", { experiment_id: experimentId })).body.model.info.model_id;
    await call("DELETE", `logged-models/${gone}`);
    for (const modelId of [`m-${"0".repeat(32)}`, gone, "not-a-model"]) {
      const one = await call("POST", "runs/log-metric", { run_id: runId, key: "acc", value: 1, timestamp: 1, step: 0, model_id: modelId });
      expect(one.status).toBe(404);
      expect(one.body).toEqual({ error_code: "RESOURCE_DOES_NOT_EXIST", message: `Logged model '${modelId}' not found` });
    }
    const live = (await call("POST", "logged-models", { experiment_id: experimentId })).body.model.info.model_id;
    const mixed = await call("POST", "runs/log-batch", {
      run_id: runId,
      metrics: [
        { key: "acc", value: 1, timestamp: 1, step: 0, model_id: live },
        { key: "acc", value: 2, timestamp: 2, step: 1, model_id: gone },
      ],
    });
    expect(mixed.status).toBe(404);
    expect(await db().metric.count({ where: { runId } })).toBe(0);
    expect(await db().loggedModelMetric.count({ where: { runId } })).toBe(0);
    const bad = await call("POST", "runs/log-batch", { run_id: runId, metrics: [{ key: "acc", value: 1, timestamp: 1, model_id: live, dataset_name: 7 }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error_code).toBe("INVALID_PARAMETER_VALUE");
    expect(await db().metric.count({ where: { runId } })).toBe(0);
  });
});

describe("registrations of logged models (register_model from a logged model)", () => {
  it("model-versions/create with model_id → registrations and the mlflow.modelVersions tag", async () => {
    const { call } = env.client;
    const { experimentId, runId } = await startRun();
    const modelId = (await call("POST", "logged-models", { experiment_id: experimentId, name: "model", source_run_id: runId })).body.model.info.model_id;
    await call("PATCH", `logged-models/${modelId}`, { model_id: modelId, status: "LOGGED_MODEL_READY" });
    expect((await call("GET", `logged-models/${modelId}`)).body.model.info.registrations).toBeUndefined();

    // mlflow.register_model(f"models:/{model_id}", name): create the registered model, then the
    // version with source models:/<id> and model_id (no run_id: the URI is not a runs:/ one).
    // Names in creation order: versions made in the same millisecond are listed by name.
    const tail = uid();
    const name = `lm-reg-a-${tail}`;
    expect((await call("POST", "registered-models/create", { name })).status).toBe(200);
    const mv = await call("POST", "model-versions/create", { name, source: `models:/${modelId}`, model_id: modelId });
    expect(mv.status).toBe(200);
    expect(mv.body.model_version).toMatchObject({ name, version: "1", source: `models:/${modelId}`, model_id: modelId });

    let info = (await call("GET", `logged-models/${modelId}`)).body.model.info;
    expect(info.registrations).toEqual([{ name, version: "1" }]);
    // As MLflow's server: the version joins the model's mlflow.modelVersions tag (Python's json.dumps).
    expect(info.tags).toContainEqual({ key: "mlflow.modelVersions", value: `[{"name": "${name}", "version": 1}]` });

    // The client then appends its own entry (version as the string it got back) through the tags endpoint.
    const tag = info.tags.find((t: { key: string }) => t.key === "mlflow.modelVersions").value;
    const appended = JSON.stringify([...JSON.parse(tag), { name, version: "1" }]);
    expect((await call("PATCH", `logged-models/${modelId}/tags`, { tags: [{ key: "mlflow.modelVersions", value: appended }] })).status).toBe(200);

    // A second model, and MlflowClient.create_model_version(name, "models:/<id>") without model_id.
    const second = `lm-reg-b-${tail}`;
    await call("POST", "registered-models/create", { name: second });
    await call("POST", "model-versions/create", { name: second, source: `models:/${modelId}`, model_id: modelId });
    const bySource = await call("POST", "model-versions/create", { name: second, source: `models:/${modelId}/` });
    expect(bySource.body.model_version.model_id).toBe(modelId);
    // A version from a run's folder does not count.
    await call("POST", "model-versions/create", { name: second, source: `mlflow-artifacts:/${experimentId}/${runId}/artifacts/model`, run_id: runId });

    info = (await call("GET", `logged-models/${modelId}`)).body.model.info;
    expect(info.registrations).toEqual([
      { name, version: "1" },
      { name: second, version: "1" },
      { name: second, version: "2" },
    ]);
    const tagged = JSON.parse(info.tags.find((t: { key: string }) => t.key === "mlflow.modelVersions").value);
    expect(tagged).toEqual([
      { name, version: 1 },
      { name, version: "1" },
      { name: second, version: 1 },
    ]);
    const found = await call("POST", "logged-models/search", { experiment_ids: [experimentId], filter: `name = 'model'` });
    expect(found.body.models[0].info.registrations).toEqual(info.registrations);

    // A deleted version is no registration any more.
    expect((await call("DELETE", "model-versions/delete", { name: second, version: "2" })).status).toBe(200);
    expect((await call("GET", `logged-models/${modelId}`)).body.model.info.registrations).toEqual([
      { name, version: "1" },
      { name: second, version: "1" },
    ]);
  });

  it("refuses an unknown model_id or one that contradicts the source, creating no version", async () => {
    const { call } = env.client;
    const { experimentId } = await startRun();
    const modelId = (await call("POST", "logged-models", { experiment_id: experimentId })).body.model.info.model_id;
    const name = `lm-reg-${uid()}`;
    await call("POST", "registered-models/create", { name });
    const unknown = `m-${"1".repeat(32)}`;
    const missing = await call("POST", "model-versions/create", { name, source: `models:/${unknown}`, model_id: unknown });
    expect(missing.status).toBe(404);
    expect(missing.body.error_code).toBe("RESOURCE_DOES_NOT_EXIST");
    const bySource = await call("POST", "model-versions/create", { name, source: `models:/${unknown}` });
    expect(bySource.status).toBe(404);
    const contradicting = await call("POST", "model-versions/create", { name, source: `models:/${unknown}`, model_id: modelId });
    expect(contradicting.status).toBe(400);
    expect(contradicting.body.error_code).toBe("INVALID_PARAMETER_VALUE");
    expect((await call("GET", "registered-models/get", { name })).body.registered_model.latest_versions).toBeUndefined();
    expect((await call("GET", `logged-models/${modelId}`)).body.model.info.tags).toBeUndefined();
  });
});

describe("mlflow.log_input (runs/log-inputs)", () => {
  const dataset = (name: string, digest: string) => ({
    tags: [{ key: "mlflow.data.context", value: "training" }],
    dataset: { name, digest, source_type: "local", source: '{"uri": "/tmp/train.csv"}', schema: '{"mlflow_colspec": []}', profile: '{"num_rows": 3}' },
  });

  it("keeps a dataset it does not know as the run's input record", async () => {
    const { call } = env.client;
    const { runId } = await startRun();
    expect((await call("POST", "runs/log-inputs", { run_id: runId, datasets: [dataset(`ext-${uid()}`, "abc12345")] })).body).toEqual({});
    const run = (await call("GET", "runs/get", { run_id: runId })).body.run;
    expect(run.inputs.dataset_inputs).toEqual([
      {
        tags: [{ key: "mlflow.data.context", value: "training" }],
        dataset: expect.objectContaining({ digest: "abc12345", source_type: "local", profile: '{"num_rows": 3}' }),
      },
    ]);
    const info = await db().run.findUniqueOrThrow({ where: { id: runId } });
    expect(info.datasetVersionId).toBeNull();
    // Logging it again with another context adds the tag instead of a second input.
    const again = dataset(run.inputs.dataset_inputs[0].dataset.name, "abc12345");
    again.tags = [{ key: "mlflow.data.context", value: "eval" }, { key: "split", value: "a" }];
    await call("POST", "runs/log-inputs", { run_id: runId, datasets: [again] });
    const twice = (await call("GET", "runs/get", { run_id: runId })).body.run.inputs.dataset_inputs;
    expect(twice).toHaveLength(1);
    expect(twice[0].tags).toEqual([
      { key: "mlflow.data.context", value: "eval" },
      { key: "split", value: "a" },
    ]);
  });

  it("links the run to our dataset version when name and digest match", async () => {
    const { call } = env.client;
    const { runId } = await startRun();
    const name = `ds-${uid()}`;
    const sha = "ab".repeat(32);
    const ds = await db().dataset.create({ data: { id: `ds_${uid()}`, name } });
    const version = await db().datasetVersion.create({
      data: { id: `dv_${uid()}`, datasetId: ds.id, version: 1, sha256: sha, artifactPath: `datasets/${sha}`, sizeBytes: 10, rowCount: 3, columnCount: 2 },
    });
    await call("POST", "runs/log-inputs", { run_id: runId, datasets: [dataset(name, sha.slice(0, 8))] });
    const row = await db().run.findUniqueOrThrow({ where: { id: runId } });
    expect(row.datasetVersionId).toBe(version.id);
    const input = await db().runDatasetInput.findFirstOrThrow({ where: { runId } });
    expect(input.datasetVersionId).toBe(version.id);
  });

  it("logs model inputs and refuses bad bodies, storing nothing", async () => {
    const { call } = env.client;
    const { experimentId, runId } = await startRun();
    const m = (await call("POST", "logged-models", { experiment_id: experimentId })).body.model.info;
    await call("POST", "runs/log-inputs", { run_id: runId, models: [{ model_id: m.model_id }] });
    expect((await call("GET", "runs/get", { run_id: runId })).body.run.inputs).toEqual({ model_inputs: [{ model_id: m.model_id }] });
    const missing = await call("POST", "runs/log-inputs", { run_id: runId, datasets: [{ dataset: { name: "x" } }] });
    expect(missing.status).toBe(400);
    expect(missing.body.error_code).toBe("INVALID_PARAMETER_VALUE");
    expect((await call("POST", "runs/log-inputs", { run_id: "0".repeat(32), datasets: [] })).status).toBe(404);
    expect(await db().runDatasetInput.count({ where: { runId } })).toBe(0);
  });
});
