// What an operator sees of a running server (server.ts's fast path, in this process, without Next):
// /api/metrics after predictions through every protocol and an A/B test, queue and drift gauges from
// the database, and log lines that carry the request id or job id however deep they were written.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetConfig } from "@/lib/config";
import { db, newId } from "@/lib/db";
import { enqueue, PermanentJobError, WorkerRunner } from "@/lib/jobs";
import type { Row } from "@/lib/ml";
import { logger, resetLogger, serveWorkerMetrics } from "@/lib/observability";
import { startServer, type StartedServer } from "../../server";
import { makeApiKey, uid } from "../support/factories";
import { irisWithSite, post, registerTrained, runningAbTest, trainSmall } from "../support/serving";
import { jobType, waitFor, waitForJob } from "../support/wait";

const ROWS: Row[] = [
  { "sepal length (cm)": 5.1, "sepal width (cm)": 3.5, "petal length (cm)": 1.4, "petal width (cm)": 0.2, site: "north" },
  { "sepal length (cm)": 6.7, "sepal width (cm)": 3.0, "petal length (cm)": 5.2, "petal width (cm)": 2.3, site: "east" },
];
const FEATURES = ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)", "site"];

const saved = { store: process.env.ARTIFACT_STORE, level: process.env.LOG_LEVEL, limit: process.env.PREDICT_RATE_LIMIT };
let store: string;
let srv: StartedServer;
let key: string;
/** The job type the job-log test ran (one success, one permanent failure). */
let ranType = "";
/** Every log line written in this process since beforeAll, parsed. */
const lines: Record<string, unknown>[] = [];

const AB = `obs-ab-${uid()}`;
const PLAIN = `obs-plain-${uid()}`;
const LAZY = `obs-lazy-${uid()}`;

beforeAll(async () => {
  store = mkdtempSync(join(tmpdir(), "observability-"));
  process.env.ARTIFACT_STORE = `file:${store}`;
  process.env.LOG_LEVEL = "info";
  process.env.PREDICT_RATE_LIMIT = "0";
  resetConfig();
  resetLogger(
    new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString("utf8").split("\n")) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    }),
  );
  const table = irisWithSite();
  const [v1, v2] = [await trainSmall(table, "target", 7), await trainSmall(table, "target", 8)];
  await registerTrained(AB, v1, { champion: true });
  await registerTrained(AB, v2);
  await registerTrained(PLAIN, v1, { champion: true });
  await registerTrained(LAZY, v1, { champion: true });
  // A running 50/50 test on AB: control → version 1, treatment → version 2.
  await runningAbTest(AB, [
    { name: "control", version: 1, weight: 50 },
    { name: "treatment", version: 2, weight: 50 },
  ]);
  key = (await makeApiKey("viewer")).key;
  srv = await startServer({ next: false, port: 0 });
}, 120_000);

afterAll(async () => {
  await srv?.close();
  resetLogger();
  for (const [k, v] of [["ARTIFACT_STORE", saved.store], ["LOG_LEVEL", saved.level], ["PREDICT_RATE_LIMIT", saved.limit]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetConfig();
  rmSync(store, { recursive: true, force: true });
});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus text format → samples (enough of the format for prom-client's output). */
function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable metrics line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

async function scrape(): Promise<Sample[]> {
  const res = await fetch(`${srv.url}/api/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
  return parseMetrics(await res.text());
}

function value(samples: Sample[], name: string, labels: Record<string, string>): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

describe("Prometheus metrics", () => {
  it("counts predictions and observes latency per model, version and arm, on every protocol", async () => {
    const rows = new Map<string, number>();
    const requests = new Map<string, number>();
    const tally = (model: string, version: string, arm: string, n: number) => {
      const k = `${model}|${version}|${arm}`;
      rows.set(k, (rows.get(k) ?? 0) + n);
      requests.set(k, (requests.get(k) ?? 0) + 1);
    };
    // Own protocol, under the A/B test: the response names the arm and version.
    for (let u = 0; u < 12; u++) {
      const r = await post(srv.url, `/api/v1/models/${AB}/predict`, { instances: ROWS, unit_id: `unit-${u}` }, key);
      expect(r.status).toBe(200);
      tally(AB, r.body!.model.version, r.body!.arm, 2);
    }
    expect([...rows.keys()].filter((k) => k.startsWith(AB)).length).toBe(2); // both arms served
    // A pinned version bypasses the test: arm "none".
    const pinned = await post(srv.url, `/api/v1/models/${AB}/predict?version=2`, { instances: ROWS.slice(0, 1) }, key);
    expect(pinned.status).toBe(200);
    tally(AB, "2", "none", 1);
    // KServe V1 and Open Inference V2 on a model without a test.
    expect((await post(srv.url, `/v1/models/${PLAIN}:predict`, { instances: ROWS }, key)).status).toBe(200);
    tally(PLAIN, "1", "none", 2);
    const v2 = await post(srv.url, `/v2/models/${PLAIN}/versions/1/infer`, { inputs: [{ name: "x", shape: [2, 5], datatype: "BYTES", data: ROWS.flatMap((r) => FEATURES.map((f) => r[f])) }] }, key);
    expect(v2.status).toBe(200);
    tally(PLAIN, "1", "none", 2);
    // A rejected request scores nothing.
    expect((await post(srv.url, `/api/v1/models/${PLAIN}/predict`, { instances: [{ nope: 1 }] }, key)).status).toBe(422);

    const samples = await scrape();
    for (const [k, n] of rows) {
      const [model, version, arm] = k.split("|") as [string, string, string];
      expect(value(samples, "mlops_predictions_total", { model, version, arm }), k).toBe(n);
      expect(value(samples, "mlops_predict_duration_seconds_count", { model, version, arm }), k).toBe(requests.get(k));
      expect(value(samples, "mlops_predict_duration_seconds_bucket", { model, version, arm, le: "+Inf" }), k).toBe(requests.get(k));
      expect(value(samples, "mlops_predict_duration_seconds_sum", { model, version, arm })).toBeGreaterThan(0);
    }
    const series = samples.filter((s) => s.name === "mlops_predictions_total" && [AB, PLAIN].includes(s.labels.model!));
    expect(series.length).toBe(rows.size);

    // HTTP by route template: one series per route, not per model name.
    const http = (route: string, status: string) => value(samples, "mlops_http_requests_total", { route, method: "POST", status });
    expect(http("/api/v1/models/:name/predict", "200")).toBe(13);
    expect(http("/api/v1/models/:name/predict", "422")).toBe(1);
    expect(http("/v1/models/:name:predict", "200")).toBe(1);
    expect(http("/v2/models/:name/versions/:version/infer", "200")).toBe(1);
    expect(samples.some((s) => s.name === "mlops_http_requests_total" && s.labels.route!.includes(AB))).toBe(false);
    expect(value(samples, "mlops_http_request_duration_seconds_count", { route: "/api/v1/models/:name/predict", method: "POST" })).toBe(14);
  });

  it("reports queue depth and wait by type and state, live workers and the latest drift share per model, from the database", async () => {
    const type = jobType();
    const hour = 3_600_000;
    for (let i = 0; i < 3; i++) await enqueue(type, { i });
    await enqueue(type, {}, { runAt: new Date(Date.now() + hour) }); // queued, not yet due
    const oldest = await enqueue(type, {});
    await db().job.update({ where: { id: oldest.id }, data: { runAt: new Date(Date.now() - 120_000) } });
    const dead = await enqueue(type, {});
    await db().job.update({ where: { id: dead.id }, data: { state: "dead" } });
    const workerId = `obs-worker-${uid()}`;
    await db().worker.create({ data: { id: workerId, hostname: "test", pid: 1, concurrency: 1 } });
    const model = await db().registeredModel.findUniqueOrThrow({ where: { name: PLAIN } });
    const report = (share: number, drift: boolean, at: Date) =>
      db().driftReport.create({
        data: { id: newId(), modelId: model.id, nReference: 100, nCurrent: 50, shareDrifted: share, datasetDrift: drift, result: "{}", createdAt: at },
      });
    await report(0.9, true, new Date(Date.now() - 2 * hour));
    const latest = new Date(Date.now() - hour);
    await report(0.25, false, latest);

    // Gauges are cached for a few seconds: wait for a scrape that sees this test's rows.
    let samples = await waitFor(scrape, (s) => value(s, "mlops_jobs", { type, state: "queued" }) === 5 && value(s, "mlops_drift_share", { model: PLAIN }) !== undefined, {
      timeoutMs: 15_000,
      intervalMs: 500,
      what: "the gauges to show this test's jobs and reports",
    });
    expect(value(samples, "mlops_jobs", { type, state: "dead" })).toBe(1);
    expect(value(samples, "mlops_job_oldest_due_seconds", { type })).toBeGreaterThanOrEqual(119);
    expect(value(samples, "mlops_job_oldest_due_seconds", { type })).toBeLessThan(600);
    expect(value(samples, "mlops_workers_alive", {})).toBeGreaterThanOrEqual(1);
    expect(value(samples, "mlops_drift_share", { model: PLAIN })).toBe(0.25);
    expect(value(samples, "mlops_drift_detected", { model: PLAIN })).toBe(0);
    expect(value(samples, "mlops_drift_report_timestamp_seconds", { model: PLAIN })).toBeCloseTo(latest.getTime() / 1000, 0);

    // Claimed jobs move from queued to running at the next refresh.
    await db().job.updateMany({ where: { type, state: "queued", runAt: { lte: new Date() } }, data: { state: "running" } });
    samples = await waitFor(scrape, (s) => value(s, "mlops_jobs", { type, state: "running" }) === 4, { timeoutMs: 15_000, intervalMs: 500, what: "running jobs" });
    expect(value(samples, "mlops_jobs", { type, state: "queued" })).toBe(1);
    expect(value(samples, "mlops_job_oldest_due_seconds", { type })).toBeUndefined();
    await db().worker.delete({ where: { id: workerId } });
  });
});

describe("log lines carry the request id or the job id", () => {
  it("echoes x-request-id and stamps it on lines written deep inside the request", async () => {
    const requestId = `req-${uid()}`;
    const res = await fetch(`${srv.url}/api/v1/models/${LAZY}/predict`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}`, "x-request-id": requestId },
      body: JSON.stringify({ instances: ROWS }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe(requestId);
    // lib/serving logs the first load of a version, three calls below the HTTP handler.
    const loaded = lines.find((l) => l.msg === "model version loaded for serving" && l.model === LAZY);
    expect(loaded).toMatchObject({ requestId, version: 1, service: "web" });

    // Without one, the server makes one up and still echoes it.
    const anon = await fetch(`${srv.url}/api/health`);
    expect(anon.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    // A header that is not printable ASCII is replaced, not logged as is.
    const odd = await fetch(`${srv.url}/api/health`, { headers: { "x-request-id": "a b" } });
    expect(odd.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    // Outside any request or job, no id is made up.
    logger().info("outside");
    expect(lines.find((l) => l.msg === "outside")).not.toHaveProperty("requestId");
  });

  it("stamps the job id, type, attempt and worker on every line its handler and the lib code below write", async () => {
    const type = jobType();
    const deep = async (what: string) => {
      await db().job.count({ where: { type } }); // an await on the database in between
      await new Promise((r) => setTimeout(r, 5));
      logger().info({ what }, "deep in the job");
    };
    const runner = new WorkerRunner({
      id: `obs-runner-${uid()}`,
      pollMs: 50,
      handlers: {
        [type]: async (ctx) => {
          await deep((ctx.job.payload as { what: string }).what);
          if ((ctx.job.payload as { fail?: boolean }).fail) throw new PermanentJobError("told to fail");
          return null;
        },
      },
    });
    const ok = await enqueue(type, { what: "ok" });
    const bad = await enqueue(type, { what: "bad", fail: true });
    await runner.start();
    try {
      await waitForJob(ok.id, (j) => j.state === "succeeded", "to succeed", 20_000);
      await waitForJob(bad.id, (j) => j.state === "dead", "to be dead", 20_000);
    } finally {
      await runner.stop(1_000);
    }
    for (const [job, what] of [[ok, "ok"], [bad, "bad"]] as const) {
      const mine = lines.filter((l) => l.jobId === job.id);
      expect(mine.map((l) => l.msg)).toEqual(
        what === "ok" ? ["job started", "deep in the job", "job finished"] : ["job started", "deep in the job", "job did not succeed"],
      );
      for (const l of mine) expect(l).toMatchObject({ jobId: job.id, jobType: type, attempt: 1, workerId: runner.id });
      expect(mine.find((l) => l.msg === "deep in the job")!.what).toBe(what);
    }
    // No request id leaks into job lines, and no line of the job lacks its id.
    expect(lines.filter((l) => l.msg === "deep in the job" && !l.jobId)).toEqual([]);
    expect(lines.filter((l) => l.jobId && l.requestId)).toEqual([]);
    ranType = type;
  });
});

describe("worker metrics (WORKER_METRICS_PORT)", () => {
  it("serves job durations by type and outcome from the process that ran the jobs", async () => {
    expect(ranType).toBeTruthy();
    const served = await serveWorkerMetrics(0, "127.0.0.1");
    try {
      const res = await fetch(`http://127.0.0.1:${served.port}/metrics`);
      expect(res.status).toBe(200);
      const samples = parseMetrics(await res.text());
      expect(value(samples, "mlops_job_duration_seconds_count", { type: ranType, outcome: "succeeded" })).toBe(1);
      expect(value(samples, "mlops_job_duration_seconds_count", { type: ranType, outcome: "dead" })).toBe(1);
      expect(value(samples, "mlops_job_duration_seconds_sum", { type: ranType, outcome: "succeeded" })).toBeGreaterThan(0);
      expect(samples.some((s) => s.name === "process_cpu_seconds_total")).toBe(true);
      expect((await fetch(`http://127.0.0.1:${served.port}/other`)).status).toBe(404);
    } finally {
      await served.close();
    }
  });
});

describe("METRICS_TOKEN", () => {
  it("makes the web and worker metrics answer only the bearer token", async () => {
    const token = `scrape-${uid()}-${uid()}`;
    process.env.METRICS_TOKEN = token;
    resetConfig();
    const worker = await serveWorkerMetrics(0, "127.0.0.1");
    try {
      for (const url of [`${srv.url}/api/metrics`, `http://127.0.0.1:${worker.port}/metrics`]) {
        const anonymous = await fetch(url);
        expect(anonymous.status).toBe(401);
        expect(anonymous.headers.get("www-authenticate")).toMatch(/^Bearer/);
        expect(await anonymous.text()).toContain("METRICS_TOKEN");
        expect((await fetch(url, { headers: { authorization: `Bearer ${token}x` } })).status).toBe(401);
        expect((await fetch(url, { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
        const scraped = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
        expect(scraped.status).toBe(200);
        expect(await scraped.text()).toContain("process_cpu_seconds_total");
      }
    } finally {
      await worker.close();
      delete process.env.METRICS_TOKEN;
      resetConfig();
    }
    expect((await fetch(`${srv.url}/api/metrics`)).status).toBe(200);
  });
});
