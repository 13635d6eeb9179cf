// PostgreSQL server-side cost of one 1,000-point metric batch under storage variants, interleaved in
// rounds so every variant sees the same machine load. Prints JSON. Per variant: the statement's WAL
// (EXPLAIN (ANALYZE, WAL): exact, unaffected by other databases), its execution time, the COMMIT
// wait, and the batch's wall time.
//   npx tsx bench/metric-storage.ts [--rounds 6] [--per-round 40]
// Variants: the Metric table as migrated (PK id + index (runId, key, step)); a narrower layout
// (PK (runId, key, step, timestamp, id), no other index); each with synchronous_commit on and off.
// PG_URL (default postgresql://root@127.0.0.1:5432/postgres) gets a scratch database.
import { loadavg } from "node:os";
import pg from "pg";

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ""), process.argv[i + 1] ?? "");
const ROUNDS = Number(args.get("rounds") ?? 6);
const PER_ROUND = Number(args.get("per-round") ?? 40);
const PG_ADMIN = process.env.PG_URL ?? "postgresql://root@127.0.0.1:5432/postgres";
const DB = `mlops_bench_storage_${process.pid}`;

const COLUMNS = `"runId" TEXT NOT NULL, "key" TEXT NOT NULL, "value" DOUBLE PRECISION, "isNan" BOOLEAN NOT NULL DEFAULT false,
  "step" BIGINT NOT NULL DEFAULT 0, "timestamp" BIGINT NOT NULL`;
const TABLES = {
  current: [`CREATE TABLE m_current ("id" SERIAL PRIMARY KEY, ${COLUMNS})`, `CREATE INDEX ON m_current ("runId", "key", "step")`],
  narrow: [`CREATE TABLE m_narrow ("id" SERIAL, ${COLUMNS}, PRIMARY KEY ("runId", "key", "step", "timestamp", "id"))`],
};

// The production statement (lib/tracking/logging.ts), into a chosen table.
const write = (table: string) => `WITH pts AS (
    SELECT x->>0 AS "key", (x->>1)::float8 AS "value", (x->>2)::int = 1 AS "isNan", (x->>3)::bigint AS "step", (x->>4)::bigint AS "timestamp", n
    FROM json_array_elements($2::json) WITH ORDINALITY AS t(x, n)
    WHERE EXISTS (SELECT 1 FROM "Run" WHERE "id" = $1 AND "lifecycleStage" = 'active')
  ), latest AS (
    INSERT INTO "LatestMetric" ("runId", "key", "value", "isNan", "step", "timestamp")
    SELECT DISTINCT ON ("key") $1, "key", "value", "isNan", "step", "timestamp" FROM pts ORDER BY "key", "step" DESC, "timestamp" DESC, n DESC
    ON CONFLICT ("runId", "key") DO UPDATE SET "value" = excluded."value", "step" = excluded."step", "timestamp" = excluded."timestamp"
  )
  INSERT INTO ${table} ("runId", "key", "value", "isNan", "step", "timestamp") SELECT $1, "key", "value", "isNan", "step", "timestamp" FROM pts ORDER BY n`;

interface Sample {
  wall: number[];
  exec: number[];
  commit: number[];
  walRecords: number;
  walBytes: number;
}

const admin = new pg.Client({ connectionString: PG_ADMIN });
await admin.connect();
await admin.query(`CREATE DATABASE ${DB}`);
const url = new URL(PG_ADMIN);
url.pathname = `/${DB}`;
const c = new pg.Client({ connectionString: url.toString() });
try {
  await c.connect();
  await c.query(`CREATE TABLE "Run" ("id" TEXT PRIMARY KEY, "lifecycleStage" TEXT NOT NULL)`);
  await c.query(`CREATE TABLE "LatestMetric" (${COLUMNS}, PRIMARY KEY ("runId", "key"))`);
  for (const ddl of Object.values(TABLES).flat()) await c.query(ddl);
  const runId = "a".repeat(32);
  await c.query(`INSERT INTO "Run" VALUES ($1, 'active')`, [runId]);

  let step = 0;
  const batch = () => {
    const t = Date.now();
    const s0 = step;
    step += 100;
    return JSON.stringify(Array.from({ length: 1000 }, (_, i) => [`metric_${i % 10}`, Math.sin(s0 + i), 0, s0 + Math.floor(i / 10), t]));
  };
  const one = async (table: string, syncOff: boolean, into?: Sample) => {
    const body = batch();
    const t0 = performance.now();
    await c.query("BEGIN");
    if (syncOff) await c.query("SET LOCAL synchronous_commit = off");
    const r = await c.query(`EXPLAIN (ANALYZE, WAL, FORMAT JSON) ${write(table)}`, [runId, body]);
    const t1 = performance.now();
    await c.query("COMMIT");
    const t2 = performance.now();
    if (!into) return;
    const plan = (r.rows[0] as { "QUERY PLAN": { Plan: Record<string, number>; "Execution Time": number }[] })["QUERY PLAN"][0]!;
    into.wall.push(t2 - t0);
    into.exec.push(plan["Execution Time"]);
    into.commit.push(t2 - t1);
    into.walRecords += plan.Plan["WAL Records"] ?? 0;
    into.walBytes += plan.Plan["WAL Bytes"] ?? 0;
  };

  const variants = (["current", "narrow"] as const).flatMap((table) => [false, true].map((syncOff) => ({ table: `m_${table}`, syncOff, name: `${table}, synchronous_commit ${syncOff ? "off" : "on"}` })));
  const samples = new Map(variants.map((v) => [v.name, { wall: [], exec: [], commit: [], walRecords: 0, walBytes: 0 } as Sample]));
  const loadAtStart = loadavg()[0]!;
  for (const v of variants) for (let i = 0; i < 30; i++) await one(v.table, false); // warm both tables
  for (let round = 0; round < ROUNDS; round++) {
    for (const v of variants) for (let i = 0; i < PER_ROUND; i++) await one(v.table, v.syncOff, samples.get(v.name));
  }
  const p50 = (xs: number[]) => Number([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!.toFixed(2));
  const sizes = await c.query(
    `SELECT relname, pg_relation_size(oid) AS bytes FROM pg_class WHERE relname IN ('m_current', 'm_current_pkey', 'm_current_runId_key_step_idx', 'm_narrow', 'm_narrow_pkey') ORDER BY relname`,
  );
  console.log(
    JSON.stringify(
      {
        bench: "metric storage variants (PostgreSQL server side)",
        loadAverage1mAtStart: Number(loadAtStart.toFixed(2)),
        loadAverage1mAtEnd: Number(loadavg()[0]!.toFixed(2)),
        batchesPerVariant: ROUNDS * PER_ROUND,
        variants: variants.map((v) => {
          const s = samples.get(v.name)!;
          const n = s.wall.length;
          return {
            variant: v.name,
            walRecordsPerPoint: Number((s.walRecords / n / 1000).toFixed(3)),
            walBytesPerPoint: Number((s.walBytes / n / 1000).toFixed(1)),
            statementMsP50: p50(s.exec),
            commitMsP50: p50(s.commit),
            batchWallMsP50: p50(s.wall),
          };
        }),
        relationBytes: Object.fromEntries(sizes.rows.map((r: { relname: string; bytes: string }) => [r.relname, Number(r.bytes)])),
      },
      null,
      2,
    ),
  );
} finally {
  await c.end().catch(() => undefined);
  await admin.query(`DROP DATABASE IF EXISTS ${DB}`);
  await admin.end();
}
