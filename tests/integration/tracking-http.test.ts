// Metric logging over real HTTP: a running server (`mlops start`, i.e. startServer in server.ts, in
// its own process with its own database of the kind this run tests), called as the MLflow client
// calls it. Metrics-only batches take the bulk path on the server's own database adapter, which
// route-level tests in this process cannot reach.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetConfig } from "@/lib/config";
import { db, disconnectDb, migrate } from "@/lib/db";
import { PG_ADMIN_URL } from "../support/global-db";
import { makeApiKey } from "../support/factories";
import { startDevServer, type DevServer } from "../support/processes";

const kind = process.env.TEST_DB === "postgres" ? "postgres" : "sqlite";
const dir = mkdtempSync(join(tmpdir(), "mlops-tracking-http-"));
const pgName = `mlops_tracking_http_${process.pid}_${Date.now().toString(36)}`;
const databaseUrl =
  kind === "postgres" ? Object.assign(new URL(PG_ADMIN_URL), { pathname: `/${pgName}` }).toString() : `file:${join(dir, "tracking.db")}`;
const childEnv = { DATABASE_URL: databaseUrl, ARTIFACT_STORE: `file:${join(dir, "artifacts")}`, LOG_LEVEL: "silent" };
const saved = { DATABASE_URL: process.env.DATABASE_URL, ARTIFACT_STORE: process.env.ARTIFACT_STORE };

let server: DevServer | undefined;
let base = "";
let key = "";

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function call(method: "GET" | "POST", path: string, payload: Record<string, unknown> = {}): Promise<{ status: number; body: any }> {
  const url = new URL(`${base}${path}`);
  let body: string | undefined;
  if (method === "GET") for (const [k, v] of Object.entries(payload)) url.searchParams.set(k, String(v));
  else body = JSON.stringify(payload);
  const res = await fetch(url, { method, body, headers: { authorization: `Bearer ${key}`, "content-type": "application/json" } });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
const mlflow = (method: "GET" | "POST", path: string, payload?: Record<string, unknown>) => call(method, `/api/2.0/mlflow/${path}`, payload);

async function newRun(): Promise<string> {
  const exp = await mlflow("POST", "experiments/create", { name: `http-ingest-${Date.now()}-${Math.random().toString(36).slice(2)}` });
  expect(exp.status).toBe(200);
  const run = await mlflow("POST", "runs/create", { experiment_id: exp.body.experiment_id, start_time: Date.now() });
  expect(run.status).toBe(200);
  return run.body.run.info.run_id as string;
}

const points = (n: number, step0: number, keys = 10) =>
  Array.from({ length: n }, (_, i) => ({ key: `m${i % keys}`, value: Math.sin(step0 + i), step: step0 + Math.floor(i / keys), timestamp: 1_700_000_000_000 + i }));

beforeAll(async () => {
  await disconnectDb();
  if (kind === "postgres") await admin(`CREATE DATABASE ${pgName}`);
  Object.assign(process.env, childEnv);
  resetConfig();
  await migrate(databaseUrl);
  key = (await makeApiKey("editor")).key;
  server = await startDevServer(childEnv);
  base = server.url;
}, 1_260_000);

afterAll(async () => {
  await server?.stop();
  await disconnectDb();
  Object.assign(process.env, saved);
  resetConfig();
  if (kind === "postgres") await admin(`DROP DATABASE IF EXISTS ${pgName} WITH (FORCE)`);
  rmSync(dir, { recursive: true, force: true });
});

describe(`metrics-only log-batch over HTTP (${kind})`, () => {
  it("stores a 1,000-metric batch with only metrics, and a batch with empty params and tags", async () => {
    const runId = await newRun();
    const batch = points(1000, 0);
    // The first call compiles the route in development mode.
    const res = await mlflow("POST", "runs/log-batch", { run_id: runId, metrics: batch });
    expect(res, JSON.stringify(res.body)).toMatchObject({ status: 200, body: {} });
    const empty = await mlflow("POST", "runs/log-batch", { run_id: runId, metrics: points(10, 100), params: [], tags: [] });
    expect(empty.status).toBe(200);

    expect(await db().metric.count({ where: { runId } })).toBe(1010);
    const history = await mlflow("GET", "metrics/get-history", { run_id: runId, metric_key: "m3" });
    expect(history.status).toBe(200);
    expect(history.body.metrics).toHaveLength(101);
    expect(history.body.metrics[0]).toEqual({ key: "m3", value: Math.sin(3), timestamp: 1_700_000_000_003, step: 0 });
    const run = await mlflow("GET", "runs/get", { run_id: runId });
    const latest = (run.body.run.data.metrics as { key: string; step: number; value: number }[]).find((m) => m.key === "m3");
    expect(latest).toMatchObject({ step: 100, value: Math.sin(103) });
  });

  it("keeps every point of concurrent metrics-only batches, NaN and ±Infinity included", async () => {
    const runId = await newRun();
    const replies = await Promise.all(
      Array.from({ length: 6 }, (_, b) => mlflow("POST", "runs/log-batch", { run_id: runId, metrics: points(500, b * 1000, 5) })),
    );
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const special = await mlflow("POST", "runs/log-batch", {
      run_id: runId,
      metrics: [
        { key: "odd", value: "NaN", timestamp: 1, step: 1 },
        { key: "odd", value: "Infinity", timestamp: 2, step: 2 },
        { key: "odd", value: "-Infinity", timestamp: 3, step: 3 },
      ],
    });
    expect(special.status).toBe(200);
    expect(await db().metric.count({ where: { runId } })).toBe(3003);
    const odd = await mlflow("GET", "metrics/get-history", { run_id: runId, metric_key: "odd" });
    expect(odd.body.metrics.map((m: { value: unknown }) => m.value)).toEqual(["NaN", "Infinity", "-Infinity"]);
    const run = await mlflow("GET", "runs/get", { run_id: runId });
    const latest = (run.body.run.data.metrics as { key: string; step: number }[]).find((m) => m.key === "m0");
    expect(latest?.step).toBe(5099);
  });

  it("refuses a bad metrics-only batch with MLflow's error and stores nothing", async () => {
    const runId = await newRun();
    const over = await mlflow("POST", "runs/log-batch", { run_id: runId, metrics: points(1001, 0) });
    expect(over.status).toBe(400);
    expect(over.body.error_code).toBe("INVALID_PARAMETER_VALUE");
    expect(over.body.message).toMatch(/at most 1000 metrics/);
    const badValue = await mlflow("POST", "runs/log-batch", { run_id: runId, metrics: [...points(5, 0), { key: "x", value: "lots", step: 0, timestamp: 1 }] });
    expect(badValue.status).toBe(400);
    expect(badValue.body.message).toMatch(/metrics\.5\.value: 'lots' is not a number/);
    const badKey = await mlflow("POST", "runs/log-batch", { run_id: runId, metrics: [{ key: "../up", value: 1, step: 0, timestamp: 1 }] });
    expect(badKey.status).toBe(400);
    expect(await db().metric.count({ where: { runId } })).toBe(0);

    const unknown = await mlflow("POST", "runs/log-batch", { run_id: "f".repeat(32), metrics: points(3, 0) });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error_code).toBe("RESOURCE_DOES_NOT_EXIST");
    expect(await mlflow("POST", "runs/delete", { run_id: runId })).toMatchObject({ status: 200 });
    const archived = await mlflow("POST", "runs/log-batch", { run_id: runId, metrics: points(3, 0) });
    expect(archived.status).toBe(400);
    expect(await db().metric.count({ where: { runId } })).toBe(0);
  });

  it("takes metrics-only batches on /api/v1 too", async () => {
    const runId = await newRun();
    const res = await call("POST", `/api/v1/runs/${runId}/log-batch`, { metrics: points(1000, 0) });
    expect(res, JSON.stringify(res.body)).toMatchObject({ status: 200, body: { metrics: 1000, params: 0, tags: 0 } });
    const bad = await call("POST", `/api/v1/runs/${runId}/log-batch`, { metrics: [{ key: "a", value: 1, step: 1.5 }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/metrics\.0\.step/);
    expect(await db().metric.count({ where: { runId } })).toBe(1000);
  });
});
