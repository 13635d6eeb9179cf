// Model-quality bench (issue 4's bar): our families trained through lib/training's runTraining (the
// pipeline of the `train` job and `mlops train`) side by side with scikit-learn's default models, on the
// same train/test rows, in the same run.
//
//   npx tsx bench/quality.ts [--datasets iris,wine,...] [--families linear,mlp,gbdt,auto] [--seeds 42,0,1] [--fit refit|early-stopped] [--hpo N]   prints JSON
//
// bench/quality_reference.py (run with .venv-ref/bin/python) picks the split (stratified 80/20, seed 42;
// random 80/20 for regression) and scores scikit-learn's defaults on it. Both sides read the same CSV
// bytes; ours get the train rows as the data (the validation split for early stopping comes out of them;
// the stored model is then refit on all of them, or with --fit early-stopped is the early-stopped one) and
// the test rows as a separate test file. The bar: the best of our families reaches the best scikit-learn
// default (LogisticRegression or LinearRegression, MLP, HistGradientBoosting, RandomForest; no scaler)
// minus 0.01 in test accuracy (R² for regression), on the seed-42 split. More --seeds add other
// splits (the mean over them shows how much one split's few test rows decide: one iris row is 0.033).
// Runs go to a throwaway SQLite database.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";

const PYTHON = join(process.cwd(), ".venv-ref", "bin", "python");
const REFERENCE = join(process.cwd(), "bench", "quality_reference.py");
const BAR_SLACK = 0.01;
/** The models issue 4's bar compares with, as scikit-learn ships them (no scaler in front). */
const BAR_MODELS = /^(LogisticRegression|LinearRegression|MLP(Classifier|Regressor)|HistGradientBoosting\w+|RandomForest\w+)$/;

interface SklearnScore {
  model: string;
  variant: "raw" | "scaled";
  family: string | null;
  score: number;
  fit_s: number;
  fit_cpu_s: number;
}
interface ReferenceSplit {
  seed: number;
  train_rows: number[];
  test_rows: number[];
  sklearn: SklearnScore[];
}
interface ReferenceSet {
  path: string;
  origin: string;
  task: "classification" | "regression";
  metric: "accuracy" | "r2";
  rows: number;
  features: number;
  split: string;
  splits: ReferenceSplit[];
}
interface Reference {
  sklearn_version: string;
  seed: number;
  datasets: Record<string, ReferenceSet>;
}

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ""), process.argv[i + 1] ?? "");
const FAMILIES = (args.get("families") ?? "linear,mlp,gbdt,auto").split(",").filter(Boolean);
/** What the stored model is trained on (lib/training's FinalFit): the pipeline's default, or the early-stopped model for comparison. */
const FIT = (args.get("fit") ?? "refit") as "refit" | "early-stopped";
if (FIT !== "refit" && FIT !== "early-stopped") throw new Error(`--fit is refit or early-stopped, got '${FIT}'`);
/** `--hpo N`: every family's training is a search of N trials (`mlops train --hpo N`; `auto`: split over the families). */
const HPO = args.has("hpo") ? Number(args.get("hpo")) : undefined;
if (HPO !== undefined && !(Number.isInteger(HPO) && HPO >= 1)) throw new Error(`--hpo is a whole number of trials from 1, got '${args.get("hpo")}'`);
const round = (x: number, digits = 4) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : x);

/** The train and test rows as two CSV files with the header: the same bytes scikit-learn parsed, row for row. */
function writeSplit(dir: string, name: string, set: ReferenceSet, split: ReferenceSplit): { train: string; test: string } {
  const [header, ...lines] = readFileSync(set.path, "utf8").replace(/^\uFEFF/, "").split(/\r?\n/).filter((l) => l.length > 0);
  if (lines.length !== set.rows) throw new Error(`${set.path}: ${lines.length} rows, the reference read ${set.rows} (quoted newlines are not expected here)`);
  const files = { train: join(dir, `${name}-train.csv`), test: join(dir, `${name}-test.csv`) };
  writeFileSync(files.train, [header, ...split.train_rows.map((i) => lines[i])].join("\n") + "\n");
  writeFileSync(files.test, [header, ...split.test_rows.map((i) => lines[i])].join("\n") + "\n");
  return files;
}

type Ours = { score: number; fit_s: number; fit_cpu_s: number; backend: string; chosen?: string; error?: string };

/** Our families on one split (trained through runTraining), scikit-learn's scores beside them, and the bar. */
async function compareOnSplit(dir: string, name: string, set: ReferenceSet, split: ReferenceSplit) {
  const { candidateLabel, runTraining } = await import("../lib/training");
  const files = writeSplit(dir, name, set, split);
  const ours: Record<string, Ours> = {};
  for (const family of FAMILIES) {
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    try {
      const r = await runTraining(
        { dataset: { csvPath: files.train }, test: files.test, target: "target", family, seed: 42, experiment: `quality-${name}`, runName: `${name}-${family}-split${split.seed}`, ...(HPO !== undefined ? { hpo: { trials: HPO } } : {}) },
        { actor: null, fit: FIT },
      );
      const cpu = process.cpuUsage(c0);
      ours[family] = {
        score: round(r.testMetrics[set.metric] ?? NaN),
        fit_s: round((performance.now() - w0) / 1000, 2),
        fit_cpu_s: round((cpu.user + cpu.system) / 1e6, 2),
        backend: r.backend,
        ...(family === "auto" ? { chosen: candidateLabel(r) } : {}),
      };
    } catch (err) {
      ours[family] = { score: NaN, fit_s: round((performance.now() - w0) / 1000, 2), fit_cpu_s: NaN, backend: "", error: (err as Error).message };
    }
    const o = ours[family]!;
    console.error(`${name} (split ${split.seed}) ${family}: ${set.metric} ${o.score}${o.error ? ` (${o.error})` : ""} in ${o.fit_s}s (${o.fit_cpu_s}s CPU)${o.chosen ? `, picks ${o.chosen}` : ""}`);
  }
  const bar = split.sklearn.filter((s) => s.variant === "raw" && BAR_MODELS.test(s.model));
  const bestTheirs = bar.reduce((a, b) => (b.score > a.score ? b : a));
  const bestOurs = Object.entries(ours).reduce<[string, number]>((a, [f, o]) => (o.score > a[1] ? [f, o.score] : a), ["", -Infinity]);
  // Per family, the scikit-learn counterpart (best of raw and scaled) for reading, not for the bar.
  const counterpart = (family: string) => {
    const same = split.sklearn.filter((s) => s.family === family);
    return same.length ? round(Math.max(...same.map((s) => s.score))) : null;
  };
  return {
    seed: split.seed,
    train_rows: split.train_rows.length,
    test_rows: split.test_rows.length,
    ours: Object.fromEntries(Object.entries(ours).map(([f, o]) => [f, { ...o, sklearn_counterpart: f === "auto" ? null : counterpart(f) }])),
    sklearn: Object.fromEntries(split.sklearn.map((s) => [`${s.model}${s.variant === "scaled" ? " (scaled)" : ""}`, { score: round(s.score), fit_s: s.fit_s, fit_cpu_s: s.fit_cpu_s }])),
    best_ours: { family: bestOurs[0], score: round(bestOurs[1]) },
    best_sklearn_default: { model: bestTheirs.model, score: round(bestTheirs.score) },
    bar_met: bestOurs[1] >= bestTheirs.score - BAR_SLACK,
  };
}

async function main(): Promise<void> {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} not found: create it with "python3 -m venv .venv-ref && .venv-ref/bin/pip install scikit-learn"`);
  const dir = mkdtempSync(join(tmpdir(), "quality-bench-"));
  // A throwaway database and artifact folder, quiet logs: stdout carries the JSON only.
  process.env.DATABASE_URL = `file:${join(dir, "bench.db")}`;
  process.env.ARTIFACT_STORE = `file:${join(dir, "artifacts")}`;
  process.env.LOG_LEVEL ??= "silent";
  const log = console.log;
  console.log = (...a: unknown[]) => console.error(...a); // TensorFlow.js greets on stdout
  const { resetConfig } = await import("../lib/config");
  const { disconnectDb, migrate } = await import("../lib/db");
  resetConfig();
  await migrate(process.env.DATABASE_URL);

  const loadStart = loadavg()[0]!;
  const t0 = performance.now();
  // One thread for scikit-learn's OpenMP models, as ours run on one: a 2-core shared machine, and fair CPU times.
  const ref = JSON.parse(
    execFileSync(PYTHON, [REFERENCE, dir, args.get("datasets") ?? "", args.get("seeds") ?? "42"], { encoding: "utf8", maxBuffer: 64 << 20, env: { ...process.env, OMP_NUM_THREADS: "1" } }),
  ) as Reference;
  const datasets: Record<string, unknown> = {};
  const verdicts: Record<string, boolean> = {};
  try {
    for (const [name, set] of Object.entries(ref.datasets)) {
      const splits: Awaited<ReturnType<typeof compareOnSplit>>[] = [];
      for (const split of set.splits) splits.push(await compareOnSplit(dir, name, set, split));
      const primary = splits.find((x) => x.seed === 42) ?? splits[0]!;
      verdicts[name] = primary.bar_met;
      const mean = (xs: number[]) => round(xs.reduce((a, b) => a + b, 0) / xs.length);
      datasets[name] = {
        origin: set.origin,
        task: set.task,
        metric: set.metric,
        rows: set.rows,
        features: set.features,
        split: `${set.split} (${primary.train_rows} train / ${primary.test_rows} test rows)`,
        bar: `best ours ≥ best scikit-learn default − ${BAR_SLACK} (seed-${primary.seed} split)`,
        ...primary,
        ...(splits.length > 1
          ? {
              over_seeds: {
                seeds: splits.map((x) => x.seed),
                mean_best_ours: mean(splits.map((x) => x.best_ours.score)),
                mean_best_sklearn_default: mean(splits.map((x) => x.best_sklearn_default.score)),
                mean_ours: Object.fromEntries(FAMILIES.map((f) => [f, mean(splits.map((x) => x.ours[f]!.score))])),
                mean_sklearn: Object.fromEntries(Object.keys(primary.sklearn).map((m) => [m, mean(splits.map((x) => x.sklearn[m]?.score ?? NaN))])),
                bar_met_on: `${splits.filter((x) => x.bar_met).length} of ${splits.length} splits`,
                mean_fit_cpu_s: Object.fromEntries(FAMILIES.map((f) => [f, mean(splits.map((x) => x.ours[f]!.fit_cpu_s))])),
                per_seed: splits.map((x) => ({
                  seed: x.seed,
                  ours: Object.fromEntries(Object.entries(x.ours).map(([f, o]) => [f, o.chosen ? { score: o.score, chosen: o.chosen } : o.score])),
                  best_ours: x.best_ours,
                  best_sklearn_default: x.best_sklearn_default,
                  bar_met: x.bar_met,
                })),
              },
            }
          : {}),
      };
    }
  } finally {
    await disconnectDb();
    rmSync(dir, { recursive: true, force: true });
    console.log = log;
  }
  console.log(
    JSON.stringify(
      {
        bench: "model quality vs scikit-learn",
        sklearn_version: ref.sklearn_version,
        seed: ref.seed,
        families: FAMILIES,
        fit: FIT,
        hpo: HPO ?? null,
        cpus: cpus().length,
        load_average_1m: { start: round(loadStart, 2), end: round(loadavg()[0]!, 2) },
        wall_s: round((performance.now() - t0) / 1000, 1),
        bar_met: verdicts,
        datasets,
      },
      null,
      2,
    ),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
