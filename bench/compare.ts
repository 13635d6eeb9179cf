// Compare view at scale: 100 runs × 10,000 steps of one metric (1,000,000 points, logged through
// logBatch), then the server-side reads the compare page and POST /api/v1/runs/metric-histories
// make: each series sampled in SQL and reduced with LTTB. Prints JSON: time per read and the size
// of what the browser receives. Target (with the browser's share): interactive in ≤ 1.5 s.
//   npx tsx bench/compare.ts [--db sqlite|postgres|both] [--runs 100] [--steps 10000]
import { cpus, loadavg } from "node:os";
import { resetConfig } from "@/lib/config";
import { disconnectDb, migrate } from "@/lib/db";
import { compareMetricHistories } from "@/lib/tracking";
import { seedCompareExperiment } from "./compare-seed";
import { onScratchDatabases } from "./scratch-db";

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ""), process.argv[i + 1] ?? "");
const which = args.get("db") ?? "both";
const RUNS = Number(args.get("runs") ?? 100);
const STEPS = Number(args.get("steps") ?? 10_000);
// What the compare page asks for: 10,000 points per chart shared by the runs (at least 100 each).
const PAGE_POINTS = Math.max(100, Math.min(1000, Math.floor(10_000 / RUNS)));

async function time(fn: () => Promise<unknown>, repeat = 5): Promise<number> {
  await fn();
  const ms: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return Number(ms[Math.floor(ms.length / 2)]!.toFixed(1));
}

async function measure(kind: string, url: string) {
  process.env.DATABASE_URL = url;
  resetConfig();
  await migrate(url);
  const seeded = performance.now();
  const { runIds: ids } = await seedCompareExperiment({ runs: RUNS, steps: STEPS, keys: ["loss"] });
  const seedSeconds = (performance.now() - seeded) / 1000;
  const reads: Record<string, { medianMs: number; points: number; jsonBytes: number }> = {};
  for (const [label, perSeries] of [
    [`compare page (${PAGE_POINTS} points per run)`, PAGE_POINTS],
    ["metric-histories API default (500 points per run)", 500],
  ] as const) {
    const out = await compareMetricHistories(ids, ["loss"], perSeries);
    // The page sends [step, value] pairs; the API whole points. Either way far below the full history.
    const pairs = Object.values(out).map((byKey) => byKey.loss!.map((p) => [p.step, p.value]));
    reads[label] = {
      medianMs: await time(() => compareMetricHistories(ids, ["loss"], perSeries)),
      points: pairs.reduce((n, s) => n + s.length, 0),
      jsonBytes: Buffer.byteLength(JSON.stringify(perSeries === PAGE_POINTS ? pairs : out)),
    };
  }
  await disconnectDb();
  return { database: kind, runs: RUNS, stepsPerRun: STEPS, pointsStored: RUNS * STEPS, seedSeconds: Number(seedSeconds.toFixed(1)), reads };
}

const loadStart = loadavg()[0];
const results = await onScratchDatabases(which, "mlops-compare", measure);
console.log(JSON.stringify({ bench: "compare histories", cpus: cpus().length, loadAverage1mAtStart: Number(loadStart?.toFixed(2)), loadAverage1mAtEnd: Number(loadavg()[0]?.toFixed(2)), results }, null, 2));
