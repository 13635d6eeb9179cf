// The demo story against a real instance: server.ts (Next in development mode) in its own process and
// a real worker process (`mlops worker`, with its orchestration lane), both on a fresh database. The
// story goes through HTTP and the queue only; this test then checks what it left in the database.
// SQLite only: the story is long, and every part it calls has its own PostgreSQL tests.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetConfig } from "@/lib/config";
import { db, disconnectDb, migrate } from "@/lib/db";
import { DEMO_JOB, enqueueDemo, runDemo, type DemoProgress } from "@/lib/demo";
import { getJob } from "@/lib/jobs";
import { makeApiKey } from "../support/factories";
import { killChildren, projectRoot, spawnNode, startDevServer, type DevServer } from "../support/processes";

const kind = process.env.TEST_DB === "postgres" ? "postgres" : "sqlite";
const dir = mkdtempSync(join(tmpdir(), "mlops-demo-"));
const databaseUrl = `file:${join(dir, "demo.db")}`;
const childEnv = { DATABASE_URL: databaseUrl, ARTIFACT_STORE: `file:${join(dir, "artifacts")}`, LOG_LEVEL: "silent" };
const saved = { DATABASE_URL: process.env.DATABASE_URL, ARTIFACT_STORE: process.env.ARTIFACT_STORE };
const ADMIN = { kind: "user" as const, id: "test-admin", label: "test", role: "admin" as const, userId: null };

let server: DevServer | undefined;
let key = "";

describe.skipIf(kind === "postgres")("demo story", () => {
  beforeAll(async () => {
    await disconnectDb();
    Object.assign(process.env, childEnv);
    resetConfig();
    await migrate(databaseUrl);
    key = (await makeApiKey("editor")).key;
    server = await startDevServer(childEnv);
    const worker = spawnNode(["bin/mlops.mjs", "worker"], { ...childEnv, NODE_ENV: "production" });
    void worker;
  }, 1_260_000);

  afterAll(async () => {
    await server?.stop();
    await killChildren();
    await disconnectDb();
    Object.assign(process.env, saved);
    resetConfig();
    rmSync(dir, { recursive: true, force: true });
  });

  it("builds datasets, runs, a study, champion and challenger, an A/B test and a drift episode", async () => {
    const progress: DemoProgress[] = [];
    const started = Date.now();
    const result = await runDemo({
      baseUrl: server!.url,
      apiKey: key,
      datasetsDir: join(projectRoot, "..", "shared", "datasets"),
      onProgress: (p) => progress.push(p),
    });
    // The demo's promise is "under 3 minutes"; a development server compiling routes on a busy
    // machine gets some slack here.
    expect(Date.now() - started).toBeLessThan(300_000);
    expect(result.alreadyLoaded).toBe(false);
    expect(result.notes).toEqual([]);

    // Progress only moves forward, across every chapter, and ends at 1.
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.fraction).toBeGreaterThanOrEqual(progress[i - 1]!.fraction - 1e-9);
    expect(new Set(progress.map((p) => p.step))).toEqual(new Set(["datasets", "experiment", "study", "ab-test", "drift"]));
    expect(progress.at(-1)!.fraction).toBe(1);

    // Datasets with their profiles, and two runs of each family in the churn experiment.
    const datasets = await db().dataset.findMany({ select: { name: true } });
    expect(datasets.map((d) => d.name).sort()).toEqual(["churn", "diabetes", "iris", "wine"]);
    const churnExperiment = await db().experiment.findFirstOrThrow({ where: { name: "churn" } });
    const families = await db().runTag.findMany({ where: { key: "mlops.family", run: { experimentId: churnExperiment.id } }, select: { value: true } });
    for (const f of ["linear", "mlp", "gbdt"]) expect(families.filter((t) => t.value === f).length).toBeGreaterThanOrEqual(2);

    // The study completed its trials.
    const study = await db().study.findFirstOrThrow({ where: { id: result.studyId! } });
    expect(study.state).toBe("complete");
    expect(await db().trial.count({ where: { studyId: study.id } })).toBe(12);

    // Champion v1 (linear), challenger moved to the retrained v3; the A/B test picked v2's arm.
    const model = await db().registeredModel.findFirstOrThrow({ where: { name: "churn-classifier" }, include: { aliases: { include: { version: true } } } });
    const alias = (name: string) => model.aliases.find((a) => a.alias === name)?.version.version;
    expect(alias("champion")).toBe(1);
    expect(alias("challenger")).toBe(3);
    expect(result.abTest).toMatchObject({ winner: "challenger", predictions: 3000, feedback: 2000 });

    // The drift episode: a drifted report, a warning, and a retraining through the pipeline.
    expect(result.drift).toMatchObject({ datasetDrift: true, retrainVersion: 3 });
    const alerts = await db().alert.findMany({ where: { modelId: model.id }, select: { kind: true } });
    expect(alerts.map((a) => a.kind).sort()).toEqual(expect.arrayContaining(["drift", "retrain"]));
    const pipelineRun = await db().pipelineRun.findFirstOrThrow({ where: { pipeline: { name: "churn-retrain" } } });
    expect(pipelineRun.state).toBe("succeeded");

    // The temporary-key path is not used here; every key but the test's own is still active.
    expect(await db().apiKey.count({ where: { revokedAt: null } })).toBe(1);
  }, 420_000);

  it("a second run changes nothing and says so, also as the dashboard's job", async () => {
    const again = await runDemo({ baseUrl: server!.url, apiKey: key });
    expect(again.alreadyLoaded).toBe(true);
    expect(again.notes[0]).toMatch(/already exists/);

    // The "Load demo data" job: the worker's orchestration lane runs it with a temporary key, revoked after.
    const job = await enqueueDemo(ADMIN, { baseUrl: server!.url });
    expect(job.type).toBe(DEMO_JOB);
    await expect(enqueueDemo(ADMIN, { baseUrl: server!.url })).rejects.toThrow(/already being loaded/);
    let done = await getJob(job.id);
    for (let i = 0; i < 240 && (done.state === "queued" || done.state === "running"); i++) {
      await new Promise((r) => setTimeout(r, 250));
      done = await getJob(job.id);
    }
    expect(done.state, done.error ?? "").toBe("succeeded");
    expect(done.result).toMatchObject({ alreadyLoaded: true });
    expect(await db().apiKey.count({ where: { revokedAt: null } })).toBe(1);
  }, 120_000);

  it("refuses a bad URL, a bad suffix and a viewer's key with messages that say what to fix", async () => {
    await expect(runDemo({ baseUrl: "ftp://x", apiKey: key })).rejects.toThrow(/http:\/\/ or https:\/\//);
    await expect(runDemo({ baseUrl: server!.url, apiKey: key, suffix: "Bad Suffix" })).rejects.toThrow(/suffix/);
    const viewer = (await makeApiKey("viewer")).key;
    await expect(runDemo({ baseUrl: server!.url, apiKey: viewer, suffix: "viewer" })).rejects.toThrow(/403.*editor or admin/);
    await expect(runDemo({ baseUrl: "http://127.0.0.1:9", apiKey: key })).rejects.toThrow(/Cannot reach .*npx mlops start/);
  });
});
