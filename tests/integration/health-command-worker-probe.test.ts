// The worker container's liveness probe (scripts/worker-probe.mjs) against a real worker process,
// on a database of its own (workers of other test files run on this host too).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createDb, migrate, type Db } from "@/lib/db";
import { PG_ADMIN_URL } from "../support/global-db";
import { killChildren, projectRoot, spawnNode } from "../support/processes";
import { waitFor } from "../support/wait";

const kind = process.env.TEST_DB === "postgres" ? "postgres" : "sqlite";
const dir = mkdtempSync(join(tmpdir(), "mlops-probe-"));
const pgName = `mlops_probe_${process.pid}_${Date.now().toString(36)}`;
const databaseUrl =
  kind === "postgres" ? Object.assign(new URL(PG_ADMIN_URL), { pathname: `/${pgName}` }).toString() : `file:${join(dir, "probe.db")}`;
const env = { DATABASE_URL: databaseUrl, ARTIFACT_STORE: `file:${join(dir, "artifacts")}`, LOG_LEVEL: "silent" };
let client: Db;

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

function probe(extra: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ["scripts/worker-probe.mjs"], { cwd: projectRoot, env: { ...process.env, ...env, ...extra }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.stderr.on("data", (d: Buffer) => (out += d.toString()));
    p.on("exit", (code) => resolve({ code, out }));
  });
}

beforeAll(async () => {
  if (kind === "postgres") await admin(`CREATE DATABASE ${pgName}`);
  await migrate(databaseUrl);
  client = createDb(databaseUrl);
});

afterAll(async () => {
  await killChildren();
  await client?.$disconnect();
  if (kind === "postgres") await admin(`DROP DATABASE IF EXISTS ${pgName} WITH (FORCE)`);
  rmSync(dir, { recursive: true, force: true });
});

it("fails without a worker, passes while this host's worker beats, fails once it stopped or went silent", async () => {
  const none = await probe();
  expect(none.code, none.out).toBe(1);
  expect(none.out).toContain("no running worker registered");

  const worker = spawnNode(["bin/mlops.mjs", "worker"], env);
  await waitFor(() => client.worker.count({ where: { stoppedAt: null } }), (n) => n === 1, { timeoutMs: 90_000, what: "the worker to register" });
  const alive = await probe();
  expect(alive.code, alive.out).toBe(0);
  expect(alive.out).toContain("worker probe: ok");

  // A hung worker: its heartbeat stops moving (here: set back in time while the process is stopped).
  worker.proc.kill("SIGSTOP");
  await client.worker.updateMany({ where: { stoppedAt: null }, data: { heartbeatAt: new Date(Date.now() - 120_000) } });
  const silent = await probe();
  expect(silent.code, silent.out).toBe(1);
  expect(silent.out).toMatch(/last heartbeat of .* was 1\d\d s ago/);
  worker.proc.kill("SIGCONT");

  worker.proc.kill("SIGTERM");
  await worker.exited;
  const gone = await probe();
  expect(gone.code, gone.out).toBe(1);
  expect(gone.out).toContain("no running worker registered");
}, 240_000);

it("does not fail the pod when the database is unreachable", async () => {
  const url = kind === "postgres" ? "postgresql://root@127.0.0.1:1/none" : `file:${join(dir, "missing", "nothing.db")}`;
  const r = await probe({ DATABASE_URL: url });
  expect(r.code, r.out).toBe(0);
  expect(r.out).toContain("database not reachable");
});
