// Replays the request sequences of the stock Python mlflow client (RestStore, registry RestStore,
// HttpArtifactRepository) against the route handlers, and checks MLflow's wire format.
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { makeApiKey, uid } from "../support/factories";
import { mlflowClient, mlflowTestEnv, startMlflowRun } from "../support/mlflow";

const env = mlflowTestEnv("mlflow");
const startRun = (experimentName?: string) => startMlflowRun(env.client, experimentName);

describe("set_experiment + start_run + log_metric + end_run", () => {
  it("follows the client's sequence with MLflow's wire format", async () => {
    const { call } = env.client;
    const name = `contract-${uid()}`;

    const missing = await call("GET", "experiments/get-by-name", { experiment_name: name });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error_code: "RESOURCE_DOES_NOT_EXIST", message: expect.any(String) });

    const created = await call("POST", "experiments/create", { name });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ experiment_id: expect.stringMatching(/^\d+$/) });
    const experimentId = created.body.experiment_id;

    const got = await call("GET", "experiments/get", { experiment_id: experimentId });
    expect(got.body.experiment).toEqual({
      experiment_id: experimentId,
      name,
      artifact_location: `mlflow-artifacts:/${experimentId}`,
      lifecycle_stage: "active",
      last_update_time: expect.any(Number),
      creation_time: expect.any(Number),
    });

    const startTime = Date.now();
    const run = await call("POST", "runs/create", {
      experiment_id: experimentId,
      user_id: "root",
      start_time: startTime,
      tags: [
        { key: "mlflow.user", value: "root" },
        { key: "mlflow.source.name", value: "train.py" },
        { key: "mlflow.source.type", value: "LOCAL" },
      ],
    });
    expect(run.status).toBe(200);
    const info = run.body.run.info;
    expect(info).toMatchObject({
      run_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      experiment_id: experimentId,
      status: "RUNNING",
      start_time: startTime,
      lifecycle_stage: "active",
      user_id: "root",
    });
    expect(info.run_uuid).toBe(info.run_id);
    expect(info.artifact_uri).toBe(`mlflow-artifacts:/${experimentId}/${info.run_id}/artifacts`);
    expect(info).not.toHaveProperty("end_time");
    expect(run.body.run.data.tags).toEqual(expect.arrayContaining([{ key: "mlflow.runName", value: info.run_name }]));

    const logged = await call("POST", "runs/log-metric", {
      run_id: info.run_id,
      run_uuid: info.run_id,
      key: "loss",
      value: 0.25,
      timestamp: startTime + 1,
      step: 0,
    });
    expect(logged).toMatchObject({ status: 200, body: {} });

    const fetched = await call("GET", "runs/get", { run_uuid: info.run_id, run_id: info.run_id });
    expect(fetched.body.run.data.metrics).toEqual([{ key: "loss", value: 0.25, timestamp: startTime + 1, step: 0 }]);

    const endTime = Date.now();
    const ended = await call("POST", "runs/update", { run_uuid: info.run_id, run_id: info.run_id, status: "FINISHED", end_time: endTime });
    expect(ended.status).toBe(200);
    expect(ended.body.run_info).toMatchObject({ run_id: info.run_id, status: "FINISHED", end_time: endTime });

    const again = await call("GET", "experiments/get-by-name", { experiment_name: name });
    expect(again.body.experiment.experiment_id).toBe(experimentId);
  });

  it("knows the default experiment as \"0\"", async () => {
    const got = await env.client.call("GET", "experiments/get", { experiment_id: "0" });
    expect(got.body.experiment).toMatchObject({ experiment_id: "0", name: "Default", artifact_location: "mlflow-artifacts:/0" });
    const run = await env.client.call("POST", "runs/create", { start_time: Date.now(), tags: [] });
    expect(run.body.run.info.experiment_id).toBe("0");
  });

  it("answers a duplicate experiment with RESOURCE_ALREADY_EXISTS (400)", async () => {
    const name = `dup-${uid()}`;
    await env.client.call("POST", "experiments/create", { name });
    const dup = await env.client.call("POST", "experiments/create", { name });
    expect(dup.status).toBe(400);
    expect(dup.body.error_code).toBe("RESOURCE_ALREADY_EXISTS");
  });
});

describe("logging rules", () => {
  it("refuses a batch of 1001 metrics with 400 and stores nothing", async () => {
    const { runId } = await startRun();
    const metrics = Array.from({ length: 1001 }, (_, i) => ({ key: "m", value: i, timestamp: 1, step: i }));
    const res = await env.client.call("POST", "runs/log-batch", { run_id: runId, metrics });
    expect(res.status).toBe(400);
    expect(res.body.error_code).toBe("INVALID_PARAMETER_VALUE");
    expect(await db().metric.count({ where: { runId } })).toBe(0);
    const ok = await env.client.call("POST", "runs/log-batch", { run_id: runId, metrics: metrics.slice(0, 1000), params: [], tags: [] });
    expect(ok.status).toBe(200);
    expect(await db().metric.count({ where: { runId } })).toBe(1000);
  });

  it("answers a param re-logged with another value with 400 INVALID_PARAMETER_VALUE", async () => {
    const { runId } = await startRun();
    expect((await env.client.call("POST", "runs/log-parameter", { run_id: runId, key: "lr", value: "0.01" })).status).toBe(200);
    expect((await env.client.call("POST", "runs/log-parameter", { run_id: runId, key: "lr", value: "0.01" })).status).toBe(200);
    const changed = await env.client.call("POST", "runs/log-parameter", { run_id: runId, key: "lr", value: "0.1" });
    expect(changed.status).toBe(400);
    expect(changed.body.error_code).toBe("INVALID_PARAMETER_VALUE");
    const viaBatch = await env.client.call("POST", "runs/log-batch", { run_id: runId, params: [{ key: "lr", value: "0.2" }] });
    expect(viaBatch.body.error_code).toBe("INVALID_PARAMETER_VALUE");
  });

  it("answers an unknown run with 404 RESOURCE_DOES_NOT_EXIST", async () => {
    const id = "ab".repeat(16);
    for (const res of [
      await env.client.call("GET", "runs/get", { run_id: id }),
      await env.client.call("POST", "runs/log-metric", { run_id: id, key: "m", value: 1, timestamp: 1, step: 0 }),
      await env.client.call("POST", "runs/update", { run_id: id, status: "FINISHED", end_time: 1 }),
      await env.client.call("GET", "metrics/get-history", { run_id: id, metric_key: "m" }),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.error_code).toBe("RESOURCE_DOES_NOT_EXIST");
    }
  });

  it("round-trips NaN and ±Infinity as protobuf's JSON strings", async () => {
    const { runId } = await startRun();
    for (const [step, value] of [[0, "NaN"], [1, "Infinity"], [2, "-Infinity"], [3, 1.5]] as const) {
      const r = await env.client.call("POST", "runs/log-metric", { run_id: runId, key: "weird", value, timestamp: 100 + step, step });
      expect(r.status).toBe(200);
    }
    const h = await env.client.call("GET", "metrics/get-history", { run_id: runId, metric_key: "weird" });
    expect(h.body.metrics.map((m: { value: unknown }) => m.value)).toEqual(["NaN", "Infinity", "-Infinity", 1.5]);
    expect(h.text).toContain('"value":"NaN"');
    const batch = await env.client.call("POST", "runs/log-batch", { run_id: runId, metrics: [{ key: "b", value: "NaN", timestamp: 5, step: 9 }] });
    expect(batch.status).toBe(200);
    const run = await env.client.call("GET", "runs/get", { run_id: runId });
    expect(run.body.run.data.metrics).toEqual(expect.arrayContaining([{ key: "b", value: "NaN", timestamp: 5, step: 9 }]));
  });

  it("sets tags (set_tag) and logs batches of params and tags", async () => {
    const { runId } = await startRun();
    expect((await env.client.call("POST", "runs/set-tag", { run_id: runId, run_uuid: runId, key: "team", value: "risk" })).status).toBe(200);
    await env.client.call("POST", "runs/log-batch", { run_id: runId, params: [{ key: "depth", value: "4" }], tags: [{ key: "stage", value: "dev" }] });
    const run = await env.client.call("GET", "runs/get", { run_id: runId });
    expect(run.body.run.data.params).toEqual([{ key: "depth", value: "4" }]);
    expect(run.body.run.data.tags).toEqual(expect.arrayContaining([{ key: "team", value: "risk" }, { key: "stage", value: "dev" }]));
  });
});

describe("search_runs and get_metric_history", () => {
  it("filters, orders and pages like MLflow", async () => {
    const name = `search-${uid()}`;
    const { experimentId } = await startRun(name);
    const ids: string[] = [];
    for (const [acc, lr] of [[0.7, "0.1"], [0.95, "0.01"], [0.9, "0.01"]] as const) {
      const r = await env.client.call("POST", "runs/create", { experiment_id: experimentId, start_time: Date.now(), tags: [] });
      const id = r.body.run.info.run_id;
      ids.push(id);
      await env.client.call("POST", "runs/log-batch", {
        run_id: id,
        metrics: [{ key: "accuracy", value: acc, timestamp: 1, step: 0 }],
        params: [{ key: "lr", value: lr }],
      });
    }
    const res = await env.client.call("POST", "runs/search", {
      experiment_ids: [experimentId],
      filter: "metrics.accuracy > 0.8 and params.lr = '0.01'",
      run_view_type: "ACTIVE_ONLY",
      max_results: 1,
      order_by: ["metrics.accuracy DESC"],
    });
    expect(res.status).toBe(200);
    expect(res.body.runs.map((r: { info: { run_id: string } }) => r.info.run_id)).toEqual([ids[1]]);
    expect(res.body.next_page_token).toEqual(expect.any(String));
    const next = await env.client.call("POST", "runs/search", {
      experiment_ids: [experimentId],
      filter: "metrics.accuracy > 0.8 and params.lr = '0.01'",
      run_view_type: "ACTIVE_ONLY",
      max_results: 1,
      order_by: ["metrics.accuracy DESC"],
      page_token: res.body.next_page_token,
    });
    expect(next.body.runs.map((r: { info: { run_id: string } }) => r.info.run_id)).toEqual([ids[2]]);
    expect(next.body).not.toHaveProperty("next_page_token");

    const none = await env.client.call("POST", "runs/search", { experiment_ids: [experimentId], filter: "metrics.accuracy > 2" });
    expect(none.body).toEqual({});

    const bad = await env.client.call("POST", "runs/search", { experiment_ids: [experimentId], filter: "metrics.accuracy >> 2" });
    expect(bad.status).toBe(400);
    expect(bad.body.error_code).toBe("INVALID_PARAMETER_VALUE");
    expect(bad.body.message).toMatch(/position/);
  });

  it("returns the whole history, and pages it when max_results is given", async () => {
    const { runId } = await startRun();
    await env.client.call("POST", "runs/log-batch", {
      run_id: runId,
      metrics: Array.from({ length: 5 }, (_, i) => ({ key: "loss", value: 1 / (i + 1), timestamp: 1000 + i, step: i })),
    });
    const all = await env.client.call("GET", "metrics/get-history", { run_uuid: runId, run_id: runId, metric_key: "loss" });
    expect(all.body.metrics).toHaveLength(5);
    expect(all.body.metrics[0]).toEqual({ key: "loss", value: 1, timestamp: 1000, step: 0 });
    const page = await env.client.call("GET", "metrics/get-history", { run_id: runId, metric_key: "loss", max_results: 2 });
    expect(page.body.metrics).toHaveLength(2);
    const rest = await env.client.call("GET", "metrics/get-history", {
      run_id: runId,
      metric_key: "loss",
      max_results: 10,
      page_token: page.body.next_page_token,
    });
    expect(rest.body.metrics.map((m: { step: number }) => m.step)).toEqual([2, 3, 4]);
  });
});

describe("model registry", () => {
  it("register_model: registered-models/create → model-versions/create → model-versions/get", async () => {
    const { call } = env.client;
    const { runId, experimentId } = await startRun();
    const name = `model-${uid()}`;
    const created = await call("POST", "registered-models/create", { name });
    expect(created.status).toBe(200);
    expect(created.body.registered_model).toEqual({ name, creation_timestamp: expect.any(Number), last_updated_timestamp: expect.any(Number) });

    const source = `mlflow-artifacts:/${experimentId}/${runId}/artifacts/model`;
    const mv = await call("POST", "model-versions/create", { name, source, run_id: runId, tags: [{ key: "k", value: "v" }] });
    expect(mv.status).toBe(200);
    expect(mv.body.model_version).toMatchObject({ name, version: "1", source, run_id: runId, status: "READY", current_stage: "None", tags: [{ key: "k", value: "v" }] });

    const got = await call("GET", "model-versions/get", { name, version: "1" });
    expect(got.body.model_version).toMatchObject({ name, version: "1", status: "READY" });
    const second = await call("POST", "model-versions/create", { name, source, run_id: runId });
    expect(second.body.model_version.version).toBe("2");

    const dup = await call("POST", "registered-models/create", { name });
    expect(dup.status).toBe(400);
    expect(dup.body.error_code).toBe("RESOURCE_ALREADY_EXISTS");
    const model = await call("GET", "registered-models/get", { name });
    expect(model.body.registered_model.latest_versions.map((v: { version: string }) => v.version)).toEqual(["2"]);
  });

  it("set_registered_model_alias + get_model_version_by_alias + delete alias", async () => {
    const { call } = env.client;
    const name = `alias-${uid()}`;
    await call("POST", "registered-models/create", { name });
    await call("POST", "model-versions/create", { name, source: "mlflow-artifacts:/0/x/artifacts/model" });
    await call("POST", "model-versions/create", { name, source: "mlflow-artifacts:/0/y/artifacts/model" });
    expect((await call("POST", "registered-models/alias", { name, alias: "champion", version: "2" })).body).toEqual({});
    const byAlias = await call("GET", "registered-models/alias", { name, alias: "champion" });
    expect(byAlias.body.model_version).toMatchObject({ name, version: "2", aliases: ["champion"] });
    const model = await call("GET", "registered-models/get", { name });
    expect(model.body.registered_model.aliases).toEqual([{ alias: "champion", version: "2" }]);
    expect((await call("DELETE", "registered-models/alias", { name, alias: "champion" })).status).toBe(200);
    const gone = await call("GET", "registered-models/alias", { name, alias: "champion" });
    expect(gone.status).toBe(404);
    expect(gone.body.error_code).toBe("RESOURCE_DOES_NOT_EXIST");
    const bad = await call("POST", "registered-models/alias", { name, alias: "v1", version: "1" });
    expect(bad.body.error_code).toBe("INVALID_PARAMETER_VALUE");
  });

  it("transition_model_version_stage with archive_existing_versions", async () => {
    const { call } = env.client;
    const name = `stage-${uid()}`;
    await call("POST", "registered-models/create", { name });
    await call("POST", "model-versions/create", { name, source: "s1" });
    await call("POST", "model-versions/create", { name, source: "s2" });
    const first = await call("POST", "model-versions/transition-stage", { name, version: "1", stage: "Production", archive_existing_versions: false });
    expect(first.body.model_version).toMatchObject({ version: "1", current_stage: "Production" });
    const second = await call("POST", "model-versions/transition-stage", { name, version: "2", stage: "production", archive_existing_versions: true });
    expect(second.body.model_version.current_stage).toBe("Production");
    expect((await call("GET", "model-versions/get", { name, version: "1" })).body.model_version.current_stage).toBe("Archived");
    const latest = await call("POST", "registered-models/get-latest-versions", { name, stages: ["Production"] });
    expect(latest.body.model_versions.map((v: { version: string }) => v.version)).toEqual(["2"]);
    const bad = await call("POST", "model-versions/transition-stage", { name, version: "1", stage: "Prod" });
    expect(bad.status).toBe(400);
  });
});

describe("artifacts (log_artifact, list_artifacts, download)", () => {
  it("uploads, lists and downloads through mlflow-artifacts", async () => {
    const { runId, experimentId } = await startRun();
    const root = `artifacts/${experimentId}/${runId}/artifacts`;
    const put = await env.client.artifacts("PUT", `${root}/model/MLmodel`, { data: "flavors: {}\n" });
    expect(put.status).toBe(200);
    await env.client.artifacts("PUT", `${root}/model/weights.bin`, { data: new Uint8Array([1, 2, 3]) });
    await env.client.artifacts("PUT", `${root}/notes.txt`, { data: "hello" });

    const top = await env.client.artifacts("GET", "artifacts", { query: { path: `${experimentId}/${runId}/artifacts` } });
    expect(top.body.files).toEqual([
      { path: "model", is_dir: true },
      { path: "notes.txt", is_dir: false, file_size: 5 },
    ]);
    const model = await env.client.artifacts("GET", "artifacts", { query: { path: `${experimentId}/${runId}/artifacts/model` } });
    expect(model.body.files.map((f: { path: string }) => f.path)).toEqual(["MLmodel", "weights.bin"]);
    const got = await env.client.artifacts("GET", `${root}/model/weights.bin`);
    expect([...got.bytes]).toEqual([1, 2, 3]);
    const viaTracking = await env.client.call("GET", "artifacts/list", { run_id: runId });
    expect(viaTracking.body.root_uri).toBe(`mlflow-artifacts:/${experimentId}/${runId}/artifacts`);
    expect(viaTracking.body.files).toHaveLength(2);
  });

  it("rejects traversal and writes outside a run folder, writing nothing", async () => {
    const { runId, experimentId } = await startRun();
    const before = readdirSync(env.dir, { recursive: true });
    for (const path of [
      `artifacts/${experimentId}/${runId}/artifacts/../../../escape.txt`,
      `artifacts/${experimentId}/${runId}/artifacts/a\\b.txt`,
      `artifacts/${experimentId}/${runId}/artifacts/a\u0000b`,
      `artifacts/${experimentId}/${runId}/escape.txt`,
    ]) {
      const res = await env.client.artifacts("PUT", path, { data: "x" });
      expect(res.status).toBe(400);
      expect(res.body.error_code).toBe("INVALID_PARAMETER_VALUE");
    }
    expect(readdirSync(env.dir, { recursive: true })).toEqual(before);
  });
});

describe("auth and routing", () => {
  it("answers 401 UNAUTHENTICATED without a key and 403 PERMISSION_DENIED for a viewer's write", async () => {
    const anon = await mlflowClient(null).call("GET", "experiments/get", { experiment_id: "0" });
    expect(anon.status).toBe(401);
    expect(anon.body.error_code).toBe("UNAUTHENTICATED");
    const viewer = mlflowClient((await makeApiKey("viewer")).key);
    expect((await viewer.call("GET", "experiments/get", { experiment_id: "0" })).status).toBe(200);
    const denied = await viewer.call("POST", "experiments/create", { name: `nope-${uid()}` });
    expect(denied.status).toBe(403);
    expect(denied.body.error_code).toBe("PERMISSION_DENIED");
  });

  it("answers unknown endpoints with ENDPOINT_NOT_FOUND", async () => {
    const res = await env.client.call("POST", "runs/no-such-thing", {});
    expect(res.status).toBe(404);
    expect(res.body.error_code).toBe("ENDPOINT_NOT_FOUND");
    const wrongMethod = await env.client.call("POST", "runs/get", {});
    expect(wrongMethod.status).toBe(405);
  });
});
