// A/B test benchmark: the cost of arm assignment on the predict hot path, and of the statistics
// the analysis route computes (per-arm estimates, comparisons, the sequential test over hourly looks).
//
//   npx tsx bench/abtest.ts
//
// Prints one JSON document. No database: assignment uses an in-memory running test, the analysis
// synthetic hourly sums (its SQL part is measured by the integration tests' data volumes).
import { loadavg } from "node:os";
import { analyze, type AbTest } from "@/lib/abtest";
import { bucketBounds, pickArm, type RunningTest } from "@/lib/abtest/assign";
import type { ArmOutcomes } from "@/lib/abtest/outcomes";

function timeIt(n: number, fn: (i: number) => void): number {
  for (let i = 0; i < Math.min(n, 10_000); i++) fn(i); // warm up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(i);
  return Number(process.hrtime.bigint() - t0) / n;
}

const bounds = bucketBounds([50, 30, 20]);
const running: RunningTest = {
  testId: "bench",
  arms: ["control", "b", "c"].map((name, i) => ({ name, versionId: `v${i}`, version: String(i + 1), upper: bounds[i]! })),
  shadow: null,
};
const units = Array.from({ length: 1000 }, (_, i) => `user-${i}-${(i * 2654435761) >>> 0}`);
const assignNs = timeIt(2_000_000, (i) => pickArm(running, units[i % 1000]));
const randomNs = timeIt(2_000_000, () => pickArm(running, undefined));

function test(kind: "conversion" | "mean", arms: number): AbTest {
  return {
    id: "bench",
    name: "bench",
    model: "m",
    model_id: "m",
    state: "running",
    metric: { kind },
    arms: Array.from({ length: arms }, (_, i) => ({ name: `a${i}`, version: i + 1, version_id: `v${i}`, weight: i === 0 ? 100 - (arms - 1) * Math.floor(100 / arms) : Math.floor(100 / arms) })),
    shadow: null,
    guardrails: [],
    min_samples: 100,
    sequential_tau: 0.1,
    winner_arm: null,
    created_at: "",
    started_at: null,
    stopped_at: null,
  };
}

function outcomes(t: AbTest, hours: number): Map<string, ArmOutcomes> {
  const m = new Map<string, ArmOutcomes>();
  for (const a of t.arms) {
    const o: ArmOutcomes = { total: { n: 0, sum: 0, sumSq: 0 }, hours: [] };
    for (let h = 0; h < hours; h++) {
      const n = 500;
      const sum = t.metric.kind === "conversion" ? 50 + (h % 7) : n * (10 + (h % 5) / 10);
      const sumSq = t.metric.kind === "conversion" ? sum : n * 104 + h;
      o.hours.push({ hour: new Date(Date.UTC(2026, 0, 1, h)).toISOString(), n, sum, sumSq });
      o.total = { n: o.total.n + n, sum: o.total.sum + sum, sumSq: o.total.sumSq + sumSq };
    }
    m.set(a.name, o);
  }
  return m;
}

const analysis: Record<string, number> = {};
for (const [kind, arms, hours] of [
  ["conversion", 2, 24 * 30],
  ["mean", 2, 24 * 30],
  ["mean", 4, 24 * 30],
] as const) {
  const t = test(kind, arms);
  const o = outcomes(t, hours);
  const traffic = new Map(t.arms.map((a) => [a.name, { predictions: hours * 600, units: hours * 600, meanLatencyMs: 1 }]));
  analysis[`${kind}_${arms}arms_${hours}h_ms`] = timeIt(20, () => analyze(t, o, traffic)) / 1e6;
}

console.log(
  JSON.stringify(
    {
      bench: "abtest",
      node: process.version,
      loadavg: loadavg().map((x) => Number(x.toFixed(2))),
      assignment_ns_per_call: { sticky_unit: Number(assignNs.toFixed(1)), random: Number(randomNs.toFixed(1)) },
      analysis_compute_ms: Object.fromEntries(Object.entries(analysis).map(([k, v]) => [k, Number(v.toFixed(2))])),
    },
    null,
    2,
  ),
);
