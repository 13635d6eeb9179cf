// Gradient-boosted trees bench: our gbdt family side by side with LightGBM and scikit-learn's
// HistGradientBoosting (issue 5's bar), one thread each, in the same run.
//
//   npx tsx bench/gbdt.ts            prints JSON
//
// The Python side (bench/gbdt_reference.py, run with .venv-ref/bin/python) writes the data both
// sides use to a temp folder. Its timed fits run interleaved with ours, repeated REPEATS times, and
// every timing is the median, so a noisy, shared machine skews both sides alike. Fit times are
// reported as wall and CPU seconds; on a loaded machine CPU time is the steadier comparison.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { trainGbdt, type GbdtModel, type GbdtObjective } from "../lib/ml/gbdt";

const REPEATS = 3;
const PYTHON = join(process.cwd(), ".venv-ref", "bin", "python");
const REFERENCE = join(process.cwd(), "bench", "gbdt_reference.py");

interface RefTiming {
  lightgbm: {
    accuracy: number;
    fit_s: number;
    fit_cpu_s: number;
    batch_rows_per_s: number;
    batch_rows_per_cpu_s: number;
    single_row_us: number;
    trees: number;
    version: string;
  };
  hgb: { accuracy: number; fit_s: number; fit_cpu_s: number; batch_rows_per_s: number };
}
interface RefShared {
  metric: "accuracy" | "r2";
  lightgbm: number;
  hgb: number;
  train: number[];
  test: number[];
  n_features: number;
  n_rows: number;
}
interface RefData {
  synthetic: { n_train: number; n_test: number; n_features: number };
  shared: Record<string, RefShared>;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number, digits = 4) => Number(x.toPrecision(digits));

function python<T>(mode: string, dir: string): T {
  const out = execFileSync(PYTHON, [REFERENCE, mode, dir], { encoding: "utf8", maxBuffer: 64 << 20 });
  return JSON.parse(out) as T;
}

function readF64(path: string): Float64Array {
  const b = readFileSync(path);
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

function timeIt<T>(fn: () => T): { wall: number; cpu: number; result: T } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const result = fn();
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  return { wall, cpu: (cpu.user + cpu.system) / 1e6, result };
}

function accuracy(pred: Float64Array, y: Float64Array): number {
  let ok = 0;
  for (let i = 0; i < y.length; i++) if (pred[i] === y[i]) ok++;
  return ok / y.length;
}

function r2(pred: Float64Array, y: Float64Array): number {
  let mean = 0;
  for (const v of y) mean += v / y.length;
  let ssr = 0;
  let sst = 0;
  for (let i = 0; i < y.length; i++) {
    ssr += (y[i]! - pred[i]!) ** 2;
    sst += (y[i]! - mean) ** 2;
  }
  return 1 - ssr / sst;
}

/** Rows per second (wall and CPU time) of predictProbaBatch over X, repeated for at least ~0.5 s. */
function batchSpeed(model: GbdtModel, X: Float32Array | Float64Array, n: number): { wall: number; cpu: number } {
  model.predictProbaBatch(X, n);
  let rows = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < 500) {
    model.predictProbaBatch(X, n);
    rows += n;
  }
  const cpu = process.cpuUsage(c0);
  return { wall: rows / ((performance.now() - t0) / 1000), cpu: rows / ((cpu.user + cpu.system) / 1e6) };
}

/** Microseconds (wall and CPU) per predictProba call on one row, a Float64Array view as a predict route would hold. */
function singleRowUs(model: GbdtModel, X: Float64Array, n: number, F: number): { wall: number; cpu: number } {
  const rows = Array.from({ length: n }, (_, i) => X.subarray(i * F, (i + 1) * F));
  let sink = 0;
  for (let i = 0; i < 2000; i++) sink += model.predictProba(rows[i % n]!)[1]!;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) sink += model.predictProba(rows[i]!)[1]!;
  const cpu = process.cpuUsage(c0);
  if (Number.isNaN(sink)) throw new Error("NaN prediction");
  return { wall: ((performance.now() - t0) * 1000) / n, cpu: (cpu.user + cpu.system) / n };
}

function main(): void {
  if (!existsSync(PYTHON)) {
    throw new Error(`${PYTHON} not found: create it with "python3 -m venv .venv-ref && .venv-ref/bin/pip install lightgbm scikit-learn"`);
  }
  const dir = mkdtempSync(join(tmpdir(), "gbdt-bench-"));
  try {
    const data = python<RefData>("data", dir);
    const { n_train: nTr, n_test: nTe, n_features: F } = data.synthetic;
    const Xtr = readF64(join(dir, "synthetic_X_train.f64"));
    const ytr = readF64(join(dir, "synthetic_y_train.f64"));
    const Xte = readF64(join(dir, "synthetic_X_test.f64"));
    const yte = readF64(join(dir, "synthetic_y_test.f64"));

    const refs: RefTiming[] = [];
    const ours: {
      wall: number;
      cpu: number;
      acc: number;
      batch: { wall: number; cpu: number };
      batchF32: { wall: number; cpu: number };
      single: { wall: number; cpu: number };
      model: GbdtModel;
    }[] = [];
    for (let rep = 0; rep < REPEATS; rep++) {
      refs.push(python<RefTiming>("time", dir));
      const fit = timeIt(() => trainGbdt(Xtr, nTr, F, ytr, { objective: "binary" }));
      const model = fit.result;
      ours.push({
        wall: fit.wall,
        cpu: fit.cpu,
        acc: accuracy(model.predictBatch(Xte, nTe), yte),
        batch: batchSpeed(model, Xte, nTe),
        // Float32 rows, as the preprocessing of the serving path produces them.
        batchF32: batchSpeed(model, Float32Array.from(Xte), nTe),
        single: singleRowUs(model, Xte, nTe, F),
        model,
      });
    }
    const model = ours[0]!.model;
    const leaves = Array.from(model.forest.treeLeaves);
    const oursSyn = {
      accuracy: ours[0]!.acc,
      fit_s: round(median(ours.map((o) => o.wall))),
      fit_cpu_s: round(median(ours.map((o) => o.cpu))),
      batch_rows_per_s: Math.round(median(ours.map((o) => o.batch.wall))),
      batch_rows_per_cpu_s: Math.round(median(ours.map((o) => o.batch.cpu))),
      batch_us_per_row_cpu: round(1e6 / median(ours.map((o) => o.batch.cpu)), 3),
      batch_f32_rows_per_cpu_s: Math.round(median(ours.map((o) => o.batchF32.cpu))),
      single_row_us: round(median(ours.map((o) => o.single.wall)), 3),
      single_row_cpu_us: round(median(ours.map((o) => o.single.cpu)), 3),
      trees: model.nTrees,
      mean_leaves_per_tree: round(leaves.reduce((a, b) => a + b, 0) / leaves.length, 3),
      scoring_kernel: model.scoringKernel,
      fit_s_runs: ours.map((o) => round(o.wall)),
      fit_cpu_s_runs: ours.map((o) => round(o.cpu)),
    };
    const lgb = {
      version: refs[0]!.lightgbm.version,
      accuracy: refs[0]!.lightgbm.accuracy,
      fit_s: round(median(refs.map((r) => r.lightgbm.fit_s))),
      fit_cpu_s: round(median(refs.map((r) => r.lightgbm.fit_cpu_s))),
      batch_rows_per_s: Math.round(median(refs.map((r) => r.lightgbm.batch_rows_per_s))),
      batch_rows_per_cpu_s: Math.round(median(refs.map((r) => r.lightgbm.batch_rows_per_cpu_s))),
      single_row_us: round(median(refs.map((r) => r.lightgbm.single_row_us)), 3),
      trees: refs[0]!.lightgbm.trees,
      fit_s_runs: refs.map((r) => round(r.lightgbm.fit_s)),
      fit_cpu_s_runs: refs.map((r) => round(r.lightgbm.fit_cpu_s)),
    };
    const hgb = {
      accuracy: refs[0]!.hgb.accuracy,
      fit_s: round(median(refs.map((r) => r.hgb.fit_s))),
      fit_cpu_s: round(median(refs.map((r) => r.hgb.fit_cpu_s))),
      batch_rows_per_s: Math.round(median(refs.map((r) => r.hgb.batch_rows_per_s))),
    };

    const shared: Record<string, unknown> = {};
    let sharedOk = true;
    for (const [name, ref] of Object.entries(data.shared)) {
      const X = readF64(join(dir, `${name}_X.f64`));
      const y = readF64(join(dir, `${name}_y.f64`));
      const Fd = ref.n_features;
      const take = (idx: number[]) => {
        const Xs = new Float64Array(idx.length * Fd);
        const ys = new Float64Array(idx.length);
        idx.forEach((r, i) => {
          Xs.set(X.subarray(r * Fd, (r + 1) * Fd), i * Fd);
          ys[i] = y[r]!;
        });
        return { X: Xs, y: ys, n: idx.length };
      };
      const tr = take(ref.train);
      const te = take(ref.test);
      const objective: GbdtObjective = ref.metric === "r2" ? "regression" : "multiclass";
      const m = trainGbdt(tr.X, tr.n, Fd, tr.y, { objective });
      const pred = m.predictBatch(te.X, te.n);
      const score = ref.metric === "r2" ? r2(pred, te.y) : accuracy(pred, te.y);
      const diff = score - ref.lightgbm;
      if (diff < -0.01) sharedOk = false;
      shared[name] = { metric: ref.metric, ours: round(score), lightgbm: round(ref.lightgbm), hgb: round(ref.hgb), diff_vs_lightgbm: round(diff, 3) };
    }

    const fitRatioWall = oursSyn.fit_s / lgb.fit_s;
    const fitRatioCpu = oursSyn.fit_cpu_s / lgb.fit_cpu_s;
    const report = {
      bench: "gbdt",
      machine: { cpus: cpus().length, loadavg_1m: round(loadavg()[0]!, 3), node: process.version },
      repeats: REPEATS,
      synthetic: {
        data: `make_classification(n_samples=100000, n_features=20, n_informative=10, random_state=0), stratified 80/20 seed 42: ${nTr} train, ${nTe} test`,
        ours: oursSyn,
        lightgbm: lgb,
        hgb,
        accuracy_diff_vs_lightgbm: round(oursSyn.accuracy - lgb.accuracy, 3),
        fit_ratio_vs_lightgbm: { wall: round(fitRatioWall, 3), cpu: round(fitRatioCpu, 3) },
      },
      shared,
      bar: {
        accuracy_within_0_005_of_lightgbm: oursSyn.accuracy >= lgb.accuracy - 0.005,
        fit_time_at_most_2x_lightgbm_wall: fitRatioWall <= 2,
        fit_time_at_most_2x_lightgbm_cpu: fitRatioCpu <= 2,
        single_row_at_most_20us_wall: oursSyn.single_row_us <= 20,
        single_row_at_most_20us_cpu: oursSyn.single_row_cpu_us <= 20,
        batch_at_least_1M_rows_per_s_wall: oursSyn.batch_rows_per_s >= 1_000_000,
        batch_at_least_1M_rows_per_s_cpu: oursSyn.batch_rows_per_cpu_s >= 1_000_000,
        shared_within_0_01_of_lightgbm: sharedOk,
      },
    };
    console.log(JSON.stringify(report, null, 2));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
