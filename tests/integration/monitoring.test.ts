// Drift monitoring end to end, on SQLite and PostgreSQL: a model trained by the real training
// pipeline (which stores its reference profile), prediction logs and feedback seeded in the
// database, reports run as jobs by a WorkerRunner with the worker's real handlers, schedules
// ticked concurrently, webhooks delivered to a local HTTP receiver, and the retraining policy.
import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getReportRoute } from "@/app/api/v1/models/[name]/drift/reports/[id]/route";
import { POST as postCsvReportRoute } from "@/app/api/v1/models/[name]/drift/reports/csv/route";
import { POST as postReportRoute } from "@/app/api/v1/models/[name]/drift/reports/route";
import { PUT as putMonitorRoute } from "@/app/api/v1/models/[name]/drift/monitor/route";
import { artifactStore } from "@/lib/artifacts";
import { resetConfig } from "@/lib/config";
import { createDatasetVersion } from "@/lib/datasets";
import { db, newId } from "@/lib/db";
import { PREDICTION_COLUMN, PROFILE_ARTIFACT } from "@/lib/drift";
import { cancelJob, WorkerRunner, type JobInfo } from "@/lib/jobs";
import { getAbTest } from "@/lib/abtest";
import { createPipeline, PIPELINE_JOB, pipelineJobHandler } from "@/lib/pipelines";
import {
  DRIFT_REPORT_JOB,
  listAlerts,
  monitoringJobHandlers,
  raiseAlert,
  runDriftReport,
  tickMonitorSchedules,
  upsertMonitor,
  WEBHOOK_JOB,
  type DriftReportDetail,
} from "@/lib/monitoring";
import { createModelVersion, createRegisteredModel, setModelAlias } from "@/lib/registry";
import { listRunArtifacts } from "@/lib/tracking";
import { runTraining, TRAIN_JOB } from "@/lib/training";
import { RETRAIN_FOLLOWUP_JOB } from "@/lib/monitoring";
import { makeApiKey, makeUser, uid } from "../support/factories";
import { waitFor, waitForJob } from "../support/wait";

const IRIS = join(import.meta.dirname, "..", "..", "..", "shared", "datasets", "iris.csv");
const FEATURES = ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"];
const HOUR = 3_600_000;

let store: string;
const saved = process.env.ARTIFACT_STORE;
let runner: WorkerRunner;
let editor: Awaited<ReturnType<typeof makeUser>>["actor"];
let editorKey: string;
let runId: string;
let datasetName: string;
const modelName = `drift-iris-${uid()}`;
const irisRows: { x: number[]; label: string }[] = [];

/** mulberry32: the same rows on every run and database. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Prediction logs for `model`: `n` iris rows drawn with replacement (seeded), features moved by
 * `shift`, logged in [start, start + 1 h). `wrong` is the share whose feedback contradicts the prediction.
 */
async function seedLogs(model: { id: string; versionId: string }, opts: { n: number; seed: number; shift: number; start: Date; feedbackWrong?: number }) {
  const r = rng(opts.seed);
  const logs = [];
  const feedback = [];
  for (let i = 0; i < opts.n; i++) {
    const row = irisRows[Math.floor(r() * irisRows.length)]!;
    const inputs = Object.fromEntries(FEATURES.map((f, j) => [f, row.x[j]! + opts.shift]));
    const id = newId();
    logs.push({
      id,
      modelId: model.id,
      versionId: model.versionId,
      inputs: JSON.stringify(inputs),
      output: JSON.stringify({ prediction: row.label }),
      latencyMs: 1,
      createdAt: new Date(opts.start.getTime() + Math.floor((i * HOUR) / opts.n)),
    });
    if (opts.feedbackWrong !== undefined) {
      const wrong = r() < opts.feedbackWrong;
      const label = wrong ? (row.label === "setosa" ? "virginica" : "setosa") : row.label;
      feedback.push({ id: newId(), predictionId: id, value: JSON.stringify(label) });
    }
  }
  await db().predictionLog.createMany({ data: logs });
  if (feedback.length) await db().feedback.createMany({ data: feedback });
}

async function versionOf(name: string) {
  const m = await db().registeredModel.findUniqueOrThrow({ where: { name }, include: { versions: { orderBy: { version: "desc" }, take: 1 } } });
  return { id: m.id, versionId: m.versions[0]!.id };
}

/** Registers another model on the same training run (so it has the run's reference profile). */
async function modelOnSameRun(name: string) {
  await createRegisteredModel(editor, { name });
  const v = await createModelVersion(editor, name, { source: `runs:/${runId}/model`, runId, tags: { task: "classification" } });
  await setModelAlias(editor, name, "champion", v.version);
  return versionOf(name);
}

async function listArtifactsUnder(prefix: string): Promise<string[]> {
  return (await artifactStore().list(prefix, { recursive: true })).map((e) => e.path);
}

async function reportJob(name: string, body: unknown): Promise<DriftReportDetail> {
  const res = await postReportRoute(
    new Request(`http://x/api/v1/models/${name}/drift/reports`, { method: "POST", headers: { authorization: `Bearer ${editorKey}`, "content-type": "application/json" }, body: JSON.stringify(body) }),
    { params: Promise.resolve({ name }) },
  );
  expect(res.status).toBe(202);
  const { job } = (await res.json()) as { job: JobInfo };
  const done = await waitForJob(job.id, (j) => j.state === "succeeded" || j.state === "dead", "to finish", 60_000);
  expect(done.state, done.error ?? "").toBe("succeeded");
  const reportId = (done.result as { report_id: string }).report_id;
  const got = await getReportRoute(new Request(`http://x/api/v1/models/${name}/drift/reports/${reportId}`, { headers: { authorization: `Bearer ${editorKey}` } }), {
    params: Promise.resolve({ name, id: reportId }),
  });
  expect(got.status).toBe(200);
  return (await got.json()) as DriftReportDetail;
}

beforeAll(async () => {
  store = mkdtempSync(join(tmpdir(), "monitoring-store-"));
  process.env.ARTIFACT_STORE = `file:${store}`;
  resetConfig();
  for (const line of readFileSync(IRIS, "utf8").trim().split("\n").slice(1)) {
    const cells = line.split(",");
    irisRows.push({ x: cells.slice(0, 4).map(Number), label: cells[4]! });
  }
  editor = (await makeUser("editor")).actor;
  editorKey = (await makeApiKey("editor")).key;
  datasetName = `iris-drift-${uid()}`;
  const { createReadStream } = await import("node:fs");
  await createDatasetVersion(editor, { name: datasetName, stream: createReadStream(IRIS) });
  const trained = await runTraining(
    { dataset: { name: datasetName }, target: "target", family: "linear", params: { epochs: 60, patience: 10, learning_rate: 0.1 }, register: { name: modelName } },
    { actor: null },
  );
  runId = trained.runId;
  // Only this module's job types: other files' jobs are not taken.
  runner = new WorkerRunner({ handlers: monitoringJobHandlers(), pollMs: 50, leaseMs: 20_000, concurrency: 2 });
  await runner.start();
}, 180_000);

afterAll(async () => {
  await runner?.stop(2_000);
  if (saved === undefined) delete process.env.ARTIFACT_STORE;
  else process.env.ARTIFACT_STORE = saved;
  resetConfig();
  rmSync(store, { recursive: true, force: true });
});

describe("reference profile at training time", () => {
  it("stores the features and the predictions of the training data next to the model", async () => {
    const files = (await listRunArtifacts(runId, "drift")).map((e) => e.path);
    expect(files).toContain(PROFILE_ARTIFACT);
    const { readRunArtifact } = await import("@/lib/tracking");
    const profile = JSON.parse((await readRunArtifact(runId, PROFILE_ARTIFACT)).toString("utf8")) as { n_rows: number; columns: { name: string; type: string }[] };
    expect(profile.n_rows).toBe(150);
    expect(profile.columns.map((c) => c.name)).toEqual([...FEATURES, PREDICTION_COLUMN]);
    expect(profile.columns.at(-1)!.type).toBe("categorical");
  });
});

describe("drift report job over the prediction log", () => {
  it("flags a shifted window and not an unshifted one, with every per-column statistic stored", async () => {
    const m = await versionOf(modelName);
    const base = new Date(Date.now() - 10 * HOUR);
    await seedLogs(m, { n: 300, seed: 1, shift: 0, start: base });
    await seedLogs(m, { n: 300, seed: 2, shift: 1.5, start: new Date(base.getTime() + 2 * HOUR) });

    const calm = await reportJob(modelName, { start: base.toISOString(), end: new Date(base.getTime() + HOUR).toISOString() });
    expect(calm.n_current).toBe(300);
    expect(calm.dataset_drift).toBe(false);
    expect(calm.result.report.columns.map((c) => c.column)).toEqual(FEATURES);
    for (const c of calm.result.report.columns) {
      // 150 reference rows: two-sample KS, as Evidently selects.
      expect(c).toMatchObject({ test: "ks", threshold: 0.05, drifted: false, n_reference: 150, n_current: 300 });
      expect(c.p_value).toBeGreaterThan(0.05);
      expect(c.psi).not.toBeNull();
      expect(c.reference_histogram).not.toBeNull();
    }

    const shifted = await reportJob(modelName, { start: new Date(base.getTime() + 2 * HOUR).toISOString(), end: new Date(base.getTime() + 3 * HOUR).toISOString() });
    expect(shifted.dataset_drift).toBe(true);
    expect(shifted.share_drifted).toBe(1);
    for (const c of shifted.result.report.columns) expect(c.p_value).toBeLessThan(1e-6);
    // The logged predictions are the true labels in both windows: their distribution did not drift much.
    expect(shifted.result.prediction?.column).toBe(PREDICTION_COLUMN);

    const row = await db().driftReport.findUniqueOrThrow({ where: { id: shifted.id } });
    expect(row).toMatchObject({ modelId: m.id, versionId: m.versionId, nCurrent: 300, datasetDrift: true });
    const alerts = await listAlerts({ model: modelName, kind: "drift" });
    expect(alerts.filter((a) => a.details.report_id === shifted.id)).toHaveLength(1);
    expect(alerts.some((a) => a.details.report_id === calm.id)).toBe(false);
  });

  it("says 'not enough data' for an empty window instead of raising an alarm", async () => {
    const far = new Date(Date.now() - 400 * 24 * HOUR);
    const r = await reportJob(modelName, { start: far.toISOString(), end: new Date(far.getTime() + HOUR).toISOString() });
    expect(r.n_current).toBe(0);
    expect(r.dataset_drift).toBe(false);
    expect(r.result.report.columns.every((c) => c.skipped?.startsWith("not enough data"))).toBe(true);
  });

  it("refuses bad requests with a 4xx and queues nothing", async () => {
    const before = await db().job.count({ where: { type: DRIFT_REPORT_JOB } });
    const bad = await postReportRoute(
      new Request(`http://x/api/v1/models/${modelName}/drift/reports`, { method: "POST", headers: { authorization: `Bearer ${editorKey}` }, body: JSON.stringify({ window: { hours: -1 } }) }),
      { params: Promise.resolve({ name: modelName }) },
    );
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/hours is above 0/);
    const missing = await postReportRoute(new Request("http://x", { method: "POST", headers: { authorization: `Bearer ${editorKey}` } }), { params: Promise.resolve({ name: `nope-${uid()}` }) });
    expect(missing.status).toBe(404);
    expect(await db().job.count({ where: { type: DRIFT_REPORT_JOB } })).toBe(before);
  });
});

describe("drift report over an uploaded CSV", () => {
  const csvOf = (shift: number) =>
    [`${FEATURES.map((f) => `"${f}"`).join(",")},extra`, ...irisRows.map((r) => `${r.x.map((v, i) => (i === 2 ? v + shift : v)).join(",")},1`)].join("\n") + "\n";
  const postCsv = (name: string, body: string, type = "text/csv") =>
    postCsvReportRoute(new Request(`http://x/api/v1/models/${name}/drift/reports/csv`, { method: "POST", headers: { authorization: `Bearer ${editorKey}`, "content-type": type }, body }), {
      params: Promise.resolve({ name }),
    });

  async function reportOf(res: Response): Promise<DriftReportDetail> {
    expect(res.status).toBe(202);
    const { job } = (await res.json()) as { job: JobInfo };
    const done = await waitForJob(job.id, (j) => j.state === "succeeded" || j.state === "dead", "to finish", 60_000);
    expect(done.state, done.error ?? "").toBe("succeeded");
    const id = (done.result as { report_id: string }).report_id;
    const got = await getReportRoute(new Request(`http://x/api/v1/models/${modelName}/drift/reports/${id}`, { headers: { authorization: `Bearer ${editorKey}` } }), {
      params: Promise.resolve({ name: modelName, id }),
    });
    return (await got.json()) as DriftReportDetail;
  }

  it("compares the file's columns with the reference, flags only the shifted one, and removes the upload", async () => {
    const same = await reportOf(await postCsv(modelName, csvOf(0)));
    expect(same.n_current).toBe(150);
    expect(same.dataset_drift).toBe(false);
    expect(same.result.report.columns.map((c) => c.column)).toEqual(FEATURES);

    const shifted = await reportOf(await postCsv(modelName, csvOf(3)));
    const drifted = shifted.result.report.columns.filter((c) => c.drifted).map((c) => c.column);
    expect(drifted).toEqual(["petal length (cm)"]);
    expect(await listArtifactsUnder("drift-uploads")).toEqual([]);
  });

  it("refuses an empty file or a wrong content type and queues nothing", async () => {
    const before = await db().job.count({ where: { type: DRIFT_REPORT_JOB } });
    const empty = await postCsv(modelName, "");
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { error: { message: string } }).error.message).toMatch(/empty/);
    expect((await postCsv(modelName, "{}", "application/json")).status).toBe(400);
    expect((await postCsv(`nope-${uid()}`, csvOf(0))).status).toBe(404);
    expect(await db().job.count({ where: { type: DRIFT_REPORT_JOB } })).toBe(before);
    expect(await listArtifactsUnder("drift-uploads")).toEqual([]);
  });
});

describe("performance drift from feedback", () => {
  it("compares the window's accuracy with the test accuracy, with a confidence interval", async () => {
    const name = `drift-perf-${uid()}`;
    const m = await modelOnSameRun(name);
    const base = new Date(Date.now() - 30 * HOUR);
    // More than one page of the log (2,000 rows), all labelled.
    await seedLogs(m, { n: 2500, seed: 3, shift: 0, start: base, feedbackWrong: 0 });
    await seedLogs(m, { n: 400, seed: 4, shift: 0, start: new Date(base.getTime() + 2 * HOUR), feedbackWrong: 0.4 });

    const good = await runDriftReport({ modelId: m.id, trigger: "manual", request: { start: base.toISOString(), end: new Date(base.getTime() + HOUR).toISOString() } });
    const p1 = good.result.performance!;
    expect(p1).toMatchObject({ metric: "accuracy", n_labels: 2500, window: 1, drifted: false });
    expect(good.n_current).toBe(2500);
    expect(p1.reference).toBeGreaterThan(0.8);
    expect(p1.reference_n).toBe(30);

    const bad = await runDriftReport({ modelId: m.id, trigger: "manual", request: { start: new Date(base.getTime() + 2 * HOUR).toISOString(), end: new Date(base.getTime() + 3 * HOUR).toISOString() } });
    const p2 = bad.result.performance!;
    expect(p2.n_labels).toBe(400);
    expect(p2.window).toBeGreaterThan(0.5);
    expect(p2.window).toBeLessThan(0.7);
    expect(p2.window_ci_low!).toBeLessThan(p2.window!);
    expect(p2.window_ci_high!).toBeGreaterThan(p2.window!);
    expect(p2.drop).toBeCloseTo(p2.reference! - p2.window!, 12);
    expect(p2.drop_ci_low!).toBeGreaterThan(0.05);
    expect(p2.drifted).toBe(true);
    expect(bad.performance_drift).toBe(true);
    // No feature drift in either window; the performance alert is the only one.
    expect(bad.dataset_drift).toBe(false);
    const alerts = await listAlerts({ model: name });
    expect(alerts.map((a) => a.kind)).toEqual(["performance"]);
    expect(alerts[0]!.message).toMatch(/performance dropped/);
  });
});

describe("scheduled reports", () => {
  it("enqueues a due slot exactly once when two ticks run at the same moment", async () => {
    const name = `drift-sched-${uid()}`;
    const m = await modelOnSameRun(name);
    await upsertMonitor(editor, name, { schedule: "*/5 * * * *" });
    const count = () => db().job.count({ where: { type: DRIFT_REPORT_JOB, payload: { contains: m.id } } });

    expect(await tickMonitorSchedules(new Date())).toEqual(expect.not.arrayContaining([expect.objectContaining({ modelId: m.id })]));
    // Just after a slot boundary, so one minute later is still before the next slot.
    const later = new Date(Math.floor((Date.now() + 11 * 60_000) / 300_000) * 300_000 + 1_000);
    const [a, b] = await Promise.all([tickMonitorSchedules(later), tickMonitorSchedules(later)]);
    const mine = [...a, ...b].filter((e) => e.modelId === m.id);
    expect(mine).toHaveLength(1);
    expect(await count()).toBe(1);
    // The same moment again, and the next tick before the next slot: nothing more.
    await Promise.all([tickMonitorSchedules(later), tickMonitorSchedules(new Date(later.getTime() + 60_000))]);
    expect(await count()).toBe(1);
    const job = await db().job.findFirstOrThrow({ where: { type: DRIFT_REPORT_JOB, payload: { contains: m.id } } });
    expect(JSON.parse(job.payload)).toMatchObject({ modelId: m.id, trigger: "schedule" });
    // The next slot is another job.
    await Promise.all([tickMonitorSchedules(new Date(later.getTime() + 5 * 60_000)), tickMonitorSchedules(new Date(later.getTime() + 5 * 60_000))]);
    expect(await count()).toBe(2);
  });

  it("refuses an invalid cron expression with a 400 naming the field", async () => {
    const res = await putMonitorRoute(
      new Request("http://x", { method: "PUT", headers: { authorization: `Bearer ${editorKey}` }, body: JSON.stringify({ schedule: "every day" }) }),
      { params: Promise.resolve({ name: modelName }) },
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/schedule: Not a cron expression/);
  });
});

describe("webhooks", () => {
  let server: Server;
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  let url: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
        // The first delivery fails: the queue must retry it.
        res.statusCode = received.length === 1 ? 500 : 204;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });

  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("POSTs the alert signed with HMAC-SHA256 and retries after a 500", async () => {
    const name = `drift-hook-${uid()}`;
    const m = await modelOnSameRun(name);
    const secret = `s3cret-${uid()}-${uid()}`;
    await upsertMonitor(editor, name, { webhook_url: url, webhook_secret: secret });
    const alert = await raiseAlert({ modelId: m.id, kind: "drift", message: "test alert", details: { share_drifted: 0.75 } });

    await waitFor(async () => received.length, (n) => n >= 2, { what: "two webhook deliveries", timeoutMs: 30_000 });
    const job = await db().job.findFirstOrThrow({ where: { type: WEBHOOK_JOB, payload: { contains: alert.id } } });
    const done = await waitForJob(job.id, (j) => j.state === "succeeded", "to be delivered");
    expect(done.attempts).toBe(2);

    expect(received[0]!.body).toBe(received[1]!.body);
    for (const r of received) {
      const expected = `sha256=${createHmac("sha256", secret).update(r.body).digest("hex")}`;
      expect(r.headers["x-mlops-signature"]).toBe(expected);
      expect(r.headers["content-type"]).toBe("application/json");
      expect(r.headers["x-mlops-delivery"]).toBe(alert.id);
    }
    const payload = JSON.parse(received[1]!.body) as { event: string; alert: { id: string; model: string; kind: string; details: { share_drifted: number } } };
    expect(payload).toMatchObject({ event: "alert.drift", alert: { id: alert.id, model: name, kind: "drift", details: { share_drifted: 0.75 } } });
    // The secret is never shown back.
    const monitor = await db().modelMonitor.findUniqueOrThrow({ where: { modelId: m.id } });
    expect(monitor.webhookSecret).toBe(secret);
    expect(JSON.stringify(await (await import("@/lib/monitoring")).getMonitor(name))).not.toContain(secret);
  });
});

describe("retraining policy", () => {
  it("K consecutive drifted reports trigger exactly one retraining on the newest data, registered as challenger", async () => {
    const name = `drift-retrain-${uid()}`;
    const m = await modelOnSameRun(name);
    await upsertMonitor(editor, name, { retrain_policy: { enabled: true, consecutive: 2, on: "dataset_drift" } });
    const base = new Date(Date.now() - 60 * HOUR);
    const windows = [0, 1, 2, 3].map((i) => new Date(base.getTime() + i * 2 * HOUR));
    // Calm, then three shifted windows; feedback on the shifted ones joins the retraining data.
    await seedLogs(m, { n: 200, seed: 10, shift: 0, start: windows[0]! });
    for (const [i, w] of windows.slice(1).entries()) await seedLogs(m, { n: 200, seed: 11 + i, shift: 1.5, start: w!, feedbackWrong: 0 });
    const reportFor = (w: Date) => runDriftReport({ modelId: m.id, trigger: "manual", request: { start: w.toISOString(), end: new Date(w.getTime() + HOUR).toISOString() } });

    const verdicts = [];
    for (const w of windows.slice(0, 3)) verdicts.push((await reportFor(w)).dataset_drift);
    expect(verdicts).toEqual([false, true, true]);

    const trainJobs = await db().job.findMany({ where: { type: TRAIN_JOB, payload: { contains: `"name":"${name}"` } } });
    try {
      expect(trainJobs).toHaveLength(1);
      const spec = (JSON.parse(trainJobs[0]!.payload) as { spec: { dataset: { name: string; version: number }; target: string; family: string; register: unknown } }).spec;
      expect(spec).toMatchObject({ target: "target", family: "linear", register: { name, alias: "challenger" } });
      expect(spec.dataset.name).toBe(datasetName);
      // A new dataset version: the training data plus the 600 labelled predictions.
      const dv = await db().datasetVersion.findFirstOrThrow({ where: { dataset: { name: datasetName }, version: spec.dataset.version } });
      expect(dv.rowCount).toBe(150 + 600);

      const retrains = await listAlerts({ model: name, kind: "retrain" });
      expect(retrains).toHaveLength(1);
      expect(retrains[0]!.details).toMatchObject({ via: "train", job_id: trainJobs[0]!.id });
      expect((retrains[0]!.details.report_ids as string[]).length).toBe(2);

      // One more drifted report starts a new streak of one: no second retraining.
      await reportFor(windows[3]!);
      expect(await db().job.count({ where: { type: TRAIN_JOB, payload: { contains: `"name":"${name}"` } } })).toBe(1);
      // ...and the one after completes it.
      await reportFor(windows[3]!);
      expect(await db().job.count({ where: { type: TRAIN_JOB, payload: { contains: `"name":"${name}"` } } })).toBe(2);
    } finally {
      // No runner here trains; do not leave queued trainings to other test files' workers.
      for (const j of await db().job.findMany({ where: { type: TRAIN_JOB, state: "queued", payload: { contains: `"name":"${name}"` } } })) await cancelJob(j.id);
    }
  });
});

describe("retraining through the model's pipeline, then an A/B test", () => {
  it("runs the pipeline once and starts champion vs challenger when the new version is registered", async () => {
    const name = `drift-pipe-${uid()}`;
    const m = await modelOnSameRun(name);
    const pipeline = await createPipeline(editor, {
      name: `retrain-${name}`,
      definition: { dataset: { name: datasetName }, target: "target", family: "linear", params: { epochs: 40, learning_rate: 0.1 }, register: { name, margin: 0 }, promote: "challenger" },
    });
    await upsertMonitor(editor, name, { retrain_policy: { enabled: true, consecutive: 1, on: "dataset_drift", ab_test: { enabled: true, challenger_weight: 20 } } });
    const start = new Date(Date.now() - 90 * HOUR);
    await seedLogs(m, { n: 200, seed: 20, shift: 1.5, start });
    const r = await runDriftReport({ modelId: m.id, trigger: "manual", request: { start: start.toISOString(), end: new Date(start.getTime() + HOUR).toISOString() } });
    expect(r.dataset_drift).toBe(true);

    const runs = await db().pipelineRun.findMany({ where: { pipelineId: pipeline.id } });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ trigger: "api" });
    expect(runs[0]!.reason).toMatch(/consecutive drift reports/);
    const retrain = (await listAlerts({ model: name, kind: "retrain" }))[0]!;
    expect(retrain.details).toMatchObject({ via: "pipeline", pipeline_run_id: runs[0]!.id, job_id: runs[0]!.jobId });

    // This runner trains the pipeline's job; the follow-up waits for it, then starts the test.
    const trainer = new WorkerRunner({ handlers: { [PIPELINE_JOB]: pipelineJobHandler }, pollMs: 100, leaseMs: 30_000 });
    await trainer.start();
    try {
      await waitForJob(runs[0]!.jobId!, (j) => j.state === "succeeded" || j.state === "dead", "to train", 90_000);
      const followups = () => db().job.findMany({ where: { type: RETRAIN_FOLLOWUP_JOB, payload: { contains: m.id } }, orderBy: { createdAt: "desc" } });
      const done = await waitFor(followups, (jobs) => jobs.some((j) => j.state === "succeeded" && (j.result ?? "").includes("ab_test_id")), { what: "the A/B test follow-up", timeoutMs: 90_000 });
      const result = JSON.parse(done.find((j) => (j.result ?? "").includes("ab_test_id"))!.result!) as { ab_test_id: string; version: number };
      const test = await getAbTest(result.ab_test_id);
      expect(test).toMatchObject({ model: name, state: "running" });
      expect(test.arms.map((a) => [a.name, a.weight])).toEqual([["champion", 80], ["challenger", 20]]);
      expect(result.version).toBe(2);
    } finally {
      await trainer.stop(2_000);
    }
  }, 200_000);
});
