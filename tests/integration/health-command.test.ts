// `npm run health` against a real running server (`mlops start`, i.e. server.ts, on a free port with
// its own SQLite database), with and without a real worker process.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resetConfig } from "@/lib/config";
import { db, disconnectDb, migrate } from "@/lib/db";
import { enqueue } from "@/lib/jobs";
import { DEV_SERVER_HELD, freePort, projectRoot, spawnNode, startDevServer, type DevServer } from "../support/processes";
import { waitFor } from "../support/wait";

// A database of its own (no workers of other test files in it). SQLite only: the check reads the
// same HTTP endpoints on both databases, and Next allows one development server per project
// folder, so the PostgreSQL run must not start a second one at the same time.
const kind = process.env.TEST_DB === "postgres" ? "postgres" : "sqlite";
const dir = mkdtempSync(join(tmpdir(), "mlops-health-"));
const databaseUrl = `file:${join(dir, "health.db")}`;
const childEnv = { DATABASE_URL: databaseUrl, ARTIFACT_STORE: `file:${join(dir, "artifacts")}`, LOG_LEVEL: "silent" };
const saved = { DATABASE_URL: process.env.DATABASE_URL, ARTIFACT_STORE: process.env.ARTIFACT_STORE };
const ci = process.env.CI === "true" || process.env.CI === "1";
let server: DevServer | null = null;
let url: string;
/** Why the server could not start here (another development server holds the project folder). */
let unavailable: string | null = null;

/** Runs a command to completion (async: the server under test lives in this process). */
function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd: projectRoot, env: { ...process.env, ...childEnv, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.stderr.on("data", (d: Buffer) => (out += d.toString()));
    p.on("exit", (code) => resolve({ code, out }));
  });
}

const tsxCli = join(projectRoot, "node_modules/tsx/dist/cli.mjs");
const health = (...args: string[]) => run(process.execPath, [tsxCli, "scripts/health.ts", "--url", url, "--timeout", "60000", ...args]);

beforeAll(async () => {
  if (kind !== "sqlite") return;
  await disconnectDb();
  Object.assign(process.env, childEnv);
  resetConfig();
  await migrate(databaseUrl);
  // `mlops start` runs startServer (server.ts) after applying migrations; a separate process, as in production.
  try {
    server = await startDevServer(childEnv, 150_000);
    url = server.url;
  } catch (err) {
    if (ci || !(err as Error).message.startsWith(DEV_SERVER_HELD)) throw err;
    unavailable = DEV_SERVER_HELD;
  }
}, 1_080_000);

afterAll(async () => {
  await server?.stop();
  await disconnectDb();
  Object.assign(process.env, saved);
  resetConfig();
  rmSync(dir, { recursive: true, force: true });
});

describe.runIf(kind === "sqlite")("npm run health", () => {
  beforeEach((ctx) => {
    if (unavailable) ctx.skip(`skipped: ${unavailable}`);
  });

  it("exits non-zero and names the missing worker while none runs", async () => {
    const r = await run("npm", ["run", "-s", "health", "--", "--url", url, "--timeout", "60000"]);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(/ok\s+live/);
    expect(r.out).toMatch(/ok\s+ready\s+database \(sqlite\) reachable, migrations applied/);
    expect(r.out).toMatch(/FAIL\s+workers\s+0 workers alive, at least 1 expected .*npx mlops worker/);
    expect(r.out).toContain("UNHEALTHY");
    // Not checking workers is allowed: then the instance is healthy.
    const skip = await health("--min-workers", "0");
    expect(skip.code, skip.out).toBe(0);
  });

  describe("with a worker process running", () => {
    beforeAll(async () => {
      if (unavailable) return;
      spawnNode(["bin/mlops.mjs", "worker"], childEnv);
      await waitFor(() => db().worker.count({ where: { stoppedAt: null } }), (n) => n === 1, { timeoutMs: 60_000, what: "the worker to register" });
    }, 90_000);

    it("is healthy and reports the worker and the queue", async () => {
      const r = await health();
      expect(r.code, r.out).toBe(0);
      expect(r.out).toMatch(/ok\s+workers\s+1 worker alive \(last heartbeat \d+ s ago\)/);
      expect(r.out).toMatch(/ok\s+queue\s+0 due/);
      expect(r.out).toContain("healthy: http://");
    });

    it("reports queue depth and fails when it is over --max-queued", async () => {
      // A type no worker handles, so the jobs stay queued.
      await enqueue("health-check.unhandled", {});
      await enqueue("health-check.unhandled", {});
      const json = await health("--json");
      expect(json.code, json.out).toBe(0);
      const report = JSON.parse(json.out) as { healthy: boolean; checks: { name: string; ok: boolean; detail: string }[] };
      expect(report.healthy).toBe(true);
      // At least the two (the worker's own schedules may add a job for a moment).
      const due = Number(/^(\d+) due/.exec(report.checks.find((c) => c.name === "queue")?.detail ?? "")?.[1]);
      expect(due).toBeGreaterThanOrEqual(2);
      const over = await health("--max-queued", "1");
      expect(over.code, over.out).toBe(1);
      expect(over.out).toMatch(/FAIL\s+queue\s+more than 1 due: \d+ due/);
    });
  });

  it("says it cannot reach a server that is not there", async () => {
    const r = await run(process.execPath, [tsxCli, "scripts/health.ts", "--url", `http://127.0.0.1:${await freePort()}`]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAIL\s+live\s+cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
  });
});
