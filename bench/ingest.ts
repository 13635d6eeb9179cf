// log-batch ingest: batches of 1,000 metric points (10 keys x 100 steps) into one run, through
// lib/tracking's logBatch (the same call the REST and MLflow routes make). Prints JSON.
//   npx tsx bench/ingest.ts [--db sqlite|postgres|both] [--batches 200] [--concurrency 1]
// PostgreSQL: PG_URL (default postgresql://root@127.0.0.1:5432/postgres) gets a scratch database.
import { cpus, loadavg } from "node:os";
import { resetConfig } from "@/lib/config";
import { disconnectDb, migrate } from "@/lib/db";
import { createRun, logBatch } from "@/lib/tracking";
import { onScratchDatabases } from "./scratch-db";

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ""), process.argv[i + 1] ?? "");
const which = args.get("db") ?? "both";
const BATCHES = Number(args.get("batches") ?? 200);
const CONCURRENCY = Number(args.get("concurrency") ?? 1);
const WARMUP = 20;
const BATCH = 1000;

function batchOf(step0: number) {
  const t = Date.now();
  return {
    metrics: Array.from({ length: BATCH }, (_, i) => ({ key: `metric_${i % 10}`, value: Math.sin(step0 + i), step: step0 + Math.floor(i / 10), timestamp: t })),
  };
}

async function measure(kind: string, url: string) {
  process.env.DATABASE_URL = url;
  resetConfig();
  await migrate(url);
  const runs = await Promise.all(Array.from({ length: CONCURRENCY }, () => createRun(null, { name: "ingest-bench" })));
  for (let i = 0; i < WARMUP; i++) await logBatch(null, runs[0]!.id, batchOf(-1_000_000 + i * 100));
  const latencies: number[] = [];
  let next = 0;
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  // Each worker logs to its own run, as parallel training jobs would.
  await Promise.all(
    runs.map(async (run) => {
      for (;;) {
        const b = next++;
        if (b >= BATCHES) return;
        const body = batchOf(b * 100);
        const t0 = performance.now();
        await logBatch(null, run.id, body);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  await disconnectDb();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => Number(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(2));
  return {
    database: kind,
    batches: BATCHES,
    batchSize: BATCH,
    concurrency: CONCURRENCY,
    points: BATCHES * BATCH,
    seconds: Number(seconds.toFixed(3)),
    pointsPerSecond: Math.round((BATCHES * BATCH) / seconds),
    batchMs: { p50: pct(0.5), p95: pct(0.95), max: pct(1) },
    // On a shared, busy machine wall time includes waiting for a core; CPU time of this process
    // (all of SQLite's work, the client side of PostgreSQL's) shows the cost per point.
    processCpuSeconds: Number(cpuSeconds.toFixed(3)),
    pointsPerProcessCpuSecond: Math.round((BATCHES * BATCH) / cpuSeconds),
    target: 100_000,
    meetsTarget: (BATCHES * BATCH) / seconds >= 100_000,
  };
}

const load = loadavg()[0];
const results = await onScratchDatabases(which, "mlops-bench", measure);
console.log(
  JSON.stringify({ bench: "log-batch ingest", cpus: cpus().length, loadAverage1mAtStart: Number(load?.toFixed(2)), loadAverage1mAtEnd: Number(loadavg()[0]?.toFixed(2)), results }, null, 2),
);
