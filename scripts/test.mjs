#!/usr/bin/env node
// `npm test`: typecheck, lint, unit + integration tests on SQLite and PostgreSQL, then the
// Playwright e2e suite in Chromium against a production build. A suite whose service is missing
// fails when CI=true and is skipped with a message otherwise. Ends with one "N passed, N failed" line.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";

const root = join(import.meta.dirname, "..");
const ci = process.env.CI === "true" || process.env.CI === "1";
const pgUrl = process.env.PG_URL ?? "postgresql://root@127.0.0.1:5432/postgres";
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const totals = { passed: 0, failed: 0, skipped: 0 };
let failedSteps = [];

function step(name, cmd, args, env = {}) {
  console.log(`\n=== ${name}: ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  if (r.status !== 0) failedSteps.push(name);
  return r.status === 0;
}

function missing(what, hint) {
  if (ci) {
    console.error(`\n!!! ${what} is not available and CI=true: failing. ${hint}`);
    failedSteps.push(what);
    totals.failed += 1;
  } else {
    console.warn(`\n--- Skipping the ${what} suite: ${hint}`);
  }
}

async function postgresUp() {
  const c = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

const bin = (name) => join(root, "node_modules", ".bin", name);

step("typecheck", bin("tsc"), ["--noEmit"]);
step("lint", bin("eslint"), [".", "--max-warnings", "0"]);

const projects = ["unit", "integration-sqlite", "reliability-sqlite"];
if (await postgresUp()) projects.push("integration-postgres", "reliability-postgres");
else missing("PostgreSQL", `No server at ${pgUrl}; start it or set PG_URL.`);

const vitestReport = join(root, "test-results", "vitest-report.json");
rmSync(vitestReport, { force: true });
step("vitest", bin("vitest"), [
  "run",
  ...projects.flatMap((p) => ["--project", p]),
  "--reporter=default",
  "--reporter=json",
  `--outputFile.json=${vitestReport}`,
]);
if (existsSync(vitestReport)) {
  const r = JSON.parse(readFileSync(vitestReport, "utf8"));
  totals.passed += r.numPassedTests;
  totals.failed += r.numFailedTests;
  totals.skipped += r.numPendingTests + (r.numTodoTests ?? 0);
} else totals.failed += 1;

if (process.env.SKIP_E2E === "1") {
  console.warn("\n--- Skipping e2e (SKIP_E2E=1)");
} else if (!existsSync(chromium)) {
  missing("Playwright e2e", `No Chromium at ${chromium}; install it with 'apt-get install -y chromium'.`);
} else if (step("build", bin("next"), ["build"])) {
  const report = join(root, "test-results", "e2e-report.json");
  rmSync(report, { force: true });
  step("e2e", bin("playwright"), ["test"]);
  if (existsSync(report)) {
    const s = JSON.parse(readFileSync(report, "utf8")).stats;
    totals.passed += s.expected + (s.flaky ?? 0);
    totals.failed += s.unexpected;
    totals.skipped += s.skipped;
  } else totals.failed += 1;
} else totals.failed += 1;

if (failedSteps.length) console.error(`\nFailed steps: ${failedSteps.join(", ")}`);
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failedSteps.length || totals.failed ? 1 : 0);
