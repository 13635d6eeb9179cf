// Runs table and search at scale: seeds one experiment with N runs (each with 2 params, 2 metrics,
// 1 tag), then times the queries a runs table makes. Prints JSON. Target: < 200 ms per page.
//   npx tsx bench/runs-search.ts [--db sqlite|postgres|both] [--runs 100000]
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { resetConfig } from "@/lib/config";
import { bulkTransaction, db, dbKind, disconnectDb, migrate } from "@/lib/db";
import { countRuns, createExperiment, searchRuns } from "@/lib/tracking";

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ""), process.argv[i + 1] ?? "");
const which = args.get("db") ?? "both";
const RUNS = Number(args.get("runs") ?? 100_000);
const CHUNK = 2000;
const PG_ADMIN = process.env.PG_URL ?? "postgresql://root@127.0.0.1:5432/postgres";

/** Rows go in as one JSON parameter per table and chunk, expanded by SQL (as metric batches are). */
function seedSql(kind: "sqlite" | "postgres") {
  const each = (cols: string, pick: string) =>
    kind === "postgres"
      ? `SELECT ${pick.replace(/\$(\d)/g, "x->>$1")} FROM jsonb_array_elements($1::jsonb) AS t(x)`
      : `SELECT ${pick.replace(/\$(\d)/g, "value->>$1")} FROM json_each(?)`;
  const b = kind === "postgres" ? "::bigint" : "";
  const i = kind === "postgres" ? "::int" : "";
  const f = kind === "postgres" ? "::float8" : "";
  return {
    run: `INSERT INTO "Run" ("id","experimentId","name","status","startTime","endTime","lifecycleStage","artifactUri") ${each("", `$0, ($1)${i}, $2, $3, ($4)${b}, ($5)${b}, 'active', $6`)}`,
    param: `INSERT INTO "Param" ("runId","key","value") ${each("", "$0, $1, $2")}`,
    tag: `INSERT INTO "RunTag" ("runId","key","value") ${each("", "$0, $1, $2")}`,
    metric: `INSERT INTO "LatestMetric" ("runId","key","value","isNan","step","timestamp") ${each("", `$0, $1, ($2)${f}, false, 0, ($3)${b}`)}`,
  };
}

async function seed(experimentId: number) {
  const sql = seedSql(dbKind());
  const t0 = Date.now() - RUNS * 1000;
  const statuses = ["FINISHED", "FINISHED", "FINISHED", "FAILED", "RUNNING"];
  for (let start = 0; start < RUNS; start += CHUNK) {
    const runs: unknown[][] = [];
    const params: unknown[][] = [];
    const tags: unknown[][] = [];
    const metrics: unknown[][] = [];
    for (let i = start; i < Math.min(RUNS, start + CHUNK); i++) {
      const id = i.toString(16).padStart(32, "0");
      const t = t0 + i * 1000;
      runs.push([id, experimentId, `run-${i}`, statuses[i % 5], t, t + 500, `mlflow-artifacts:/${experimentId}/${id}/artifacts`]);
      params.push([id, "lr", ["0.1", "0.01", "0.001"][i % 3]], [id, "depth", String(2 + (i % 8))]);
      tags.push([id, "team", ["risk", "growth", "ops", "search"][i % 4]]);
      metrics.push([id, "accuracy", ((i * 7919) % 10_000) / 10_000, t], [id, "loss", ((i * 104729) % 10_000) / 5_000, t]);
    }
    await bulkTransaction([
      { sql: sql.run, args: [JSON.stringify(runs)] },
      { sql: sql.param, args: [JSON.stringify(params)] },
      { sql: sql.tag, args: [JSON.stringify(tags)] },
      { sql: sql.metric, args: [JSON.stringify(metrics)] },
    ]);
  }
}

/** Median wall time, and median CPU time of this process (all of SQLite's work; PostgreSQL's client side only). */
const cpuMs: Record<string, number> = {};
async function time(fn: () => Promise<unknown>, repeat = 5) {
  await fn();
  const ms: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
    const u = process.cpuUsage(c);
    cpu.push((u.user + u.system) / 1000);
  }
  ms.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  lastCpu = Number(cpu[Math.floor(cpu.length / 2)]!.toFixed(1));
  return Number(ms[Math.floor(ms.length / 2)]!.toFixed(1));
}
let lastCpu = 0;

async function measure(kind: string, url: string) {
  process.env.DATABASE_URL = url;
  resetConfig();
  await migrate(url);
  const exp = await createExperiment(null, { name: "search-bench" });
  const seeded = performance.now();
  await seed(Number(exp.id));
  // PostgreSQL plans from statistics; autovacuum gathers them shortly after a bulk load like this one.
  if (dbKind() === "postgres") await db().$executeRawUnsafe("ANALYZE");
  const seedSeconds = (performance.now() - seeded) / 1000;
  const e = [exp.id];
  const page = (filter = "", orderBy: string[] = []) => () => searchRuns({ experimentIds: e, filter, orderBy, maxResults: 100 });
  const first = await searchRuns({ experimentIds: e, maxResults: 100 });
  const { encodePageToken } = await import("@/lib/tracking");
  const identity = { e, f: "", o: [] as string[], v: "active" };
  // Page 500 as a user reaches it: with the token page 499 handed out (it names page 499's last row).
  const row499 = (await searchRuns({ experimentIds: e, maxResults: 1, pageToken: encodePageToken(49_899, identity) })).items[0]!;
  const token500 = encodePageToken(49_900, identity, { startTime: row499.startTime, id: row499.id });
  const paramSort = ["params.depth ASC", "metrics.loss ASC"];
  const paramPage1 = await searchRuns({ experimentIds: e, orderBy: paramSort, maxResults: 100 });
  const cases: Record<string, () => Promise<unknown>> = {
    "newest first (default order)": page(),
    "page 2 (page token)": () => searchRuns({ experimentIds: e, maxResults: 100, pageToken: first.nextPageToken! }),
    "page 500 (token of page 499)": () => searchRuns({ experimentIds: e, maxResults: 100, pageToken: token500 }),
    "page 500 (offset 49,900)": () => searchRuns({ experimentIds: e, maxResults: 100, pageToken: encodePageToken(49_900, identity) }),
    "order by metrics.accuracy DESC": page("", ["metrics.accuracy DESC"]),
    "order by params.depth": page("", ["params.depth ASC"]),
    "order by params.depth, metrics.loss": page("", paramSort),
    "order by params.depth, metrics.loss, page 2": () =>
      searchRuns({ experimentIds: e, orderBy: paramSort, maxResults: 100, pageToken: paramPage1.nextPageToken! }),
    "order by tags.team DESC": page("", ["tags.team DESC"]),
    "metrics.accuracy > 0.9": page("metrics.accuracy > 0.9"),
    "metrics.accuracy > 0.9995 (40 runs)": page("metrics.accuracy > 0.9995"),
    "metrics.accuracy > 0.98 (2% of runs)": page("metrics.accuracy > 0.98"),
    "params.lr = '0.01' and tags.team = 'risk'": page("params.lr = '0.01' and tags.team = 'risk'"),
    "filter + order by metric": page("params.lr = '0.01' and attributes.status = 'FINISHED'", ["metrics.accuracy DESC"]),
    "attributes.run_name LIKE 'run-9999%'": page("attributes.run_name LIKE 'run-9999%'"),
    "count (all runs)": () => countRuns({ experimentIds: e }),
    "count(params.lr = '0.01')": () => countRuns({ experimentIds: e, filter: "params.lr = '0.01'" }),
    "count(metrics.accuracy > 0.9995)": () => countRuns({ experimentIds: e, filter: "metrics.accuracy > 0.9995" }),
  };
  const queries: Record<string, number> = {};
  for (const [name, fn] of Object.entries(cases)) {
    queries[name] = await time(fn);
    cpuMs[name] = lastCpu;
  }
  await disconnectDb();
  const worst = Math.max(...Object.values(queries));
  return { database: kind, runs: RUNS, seedSeconds: Number(seedSeconds.toFixed(1)), medianMs: queries, medianProcessCpuMs: { ...cpuMs }, worstMs: worst, targetMs: 200, meetsTarget: worst < 200 };
}

const results = [];
const loadStart = loadavg()[0];
if (which === "sqlite" || which === "both") {
  const dir = args.get("keep") || mkdtempSync(join(tmpdir(), "mlops-search-"));
  try {
    results.push(await measure("sqlite", `file:${join(dir, "bench.db")}`));
  } finally {
    // --keep DIR leaves the seeded database there, for looking at query plans.
    if (!args.get("keep")) rmSync(dir, { recursive: true, force: true });
  }
}
if (which === "postgres" || which === "both") {
  const name = args.get("keep") ? "mlops_search_kept" : `mlops_search_${process.pid}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(PG_ADMIN);
  u.pathname = `/${name}`;
  try {
    results.push(await measure("postgres", u.toString()));
  } finally {
    if (!args.get("keep")) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}
console.log(JSON.stringify({ bench: "runs search", cpus: cpus().length, loadAverage1mAtStart: Number(loadStart?.toFixed(2)), loadAverage1mAtEnd: Number(loadavg()[0]?.toFixed(2)), results }, null, 2));
