// The compare benches' data: one experiment of `runs` runs, each logging `steps` steps of every
// metric key through logBatch (as a client would), plus two params per run so the params table and
// parallel coordinates have something to draw. Uses the database lib/db is configured for.
import { createExperiment, createRun, logBatch } from "@/lib/tracking";

/** A smooth curve per key and run with some wiggle, so LTTB has a shape to keep. */
function metricValue(keyIndex: number, run: number, runs: number, step: number): number {
  if (keyIndex === 0) return Math.exp(-step / 2000) * (1 + run / runs) + 0.05 * Math.sin(step / 7 + run);
  return 1 - 0.5 * Math.exp(-step / (1500 + 500 * keyIndex)) * (1 + run / runs) + 0.02 * Math.sin(step / (5 + keyIndex) + run);
}

export interface SeededCompare {
  experimentId: string;
  runIds: string[];
}

export async function seedCompareExperiment(opts: { runs: number; steps: number; keys: string[] }): Promise<SeededCompare> {
  if (opts.keys.length === 0) throw new Error("seedCompareExperiment needs at least one metric key");
  const exp = await createExperiment(null, { name: `compare-bench-${Date.now()}` });
  const runIds: string[] = [];
  // 1000 items per batch (the logBatch limit), steps of all keys interleaved.
  const stepsPerBatch = Math.max(1, Math.floor(1000 / opts.keys.length));
  for (let r = 0; r < opts.runs; r++) {
    const run = await createRun(null, { experimentId: exp.id, name: `run-${r}` });
    runIds.push(run.id);
    await logBatch(null, run.id, {
      params: [
        { key: "lr", value: String(10 ** -(1 + (r % 4))) },
        { key: "depth", value: String(2 + (r % 7)) },
      ],
    });
    for (let s0 = 0; s0 < opts.steps; s0 += stepsPerBatch) {
      const n = Math.min(stepsPerBatch, opts.steps - s0);
      const metrics = Array.from({ length: n }, (_, i) => s0 + i).flatMap((step) =>
        opts.keys.map((key, k) => ({ key, value: metricValue(k, r, opts.runs, step), step, timestamp: 1_700_000_000_000 + step })),
      );
      await logBatch(null, run.id, { metrics });
    }
  }
  return { experimentId: exp.id, runIds };
}
