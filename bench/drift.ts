// Drift benchmark, side by side with SciPy (bench/drift_reference.py) in the same run.
//
//   npx tsx bench/drift.ts            full run (1M×1M×20 report, 10M-row window, CLI on 200k×20 CSVs)
//   npx tsx bench/drift.ts --quick    the same at a tenth of the size, as a smoke test
//   npx tsx bench/drift.ts --only report|window|cli   one part
//
// Prints one JSON document. Every scenario runs in its own process so peak RSS is its own; both
// sides report wall and CPU time (the machine is shared: CPU time is the steadier comparison).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import {
  buildReferenceProfile,
  compareColumns,
  compareToProfile,
  CurrentWindow,
  type DriftReport,
} from "@/lib/drift";

const root = join(import.meta.dirname, "..");
const PYTHON = process.env.DRIFT_BENCH_PYTHON ?? join(root, ".venv-ref/bin/python");
const SHIFTED = 4;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normals(next: () => number, n: number, loc = 0): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - next()));
    const t = 2 * Math.PI * next();
    out[i] = loc + r * Math.cos(t);
    if (i + 1 < n) out[i + 1] = loc + r * Math.sin(t);
  }
  return out;
}

/** Same layout as drift_reference.py: f0..f{k-1}, the first SHIFTED columns moved by 0.2 sd in the current data. */
function frames(nRef: number, nCur: number, cols: number, seed = 1) {
  const next = mulberry32(seed);
  const ref: Record<string, Float64Array> = {};
  const cur: Record<string, Float64Array> = {};
  for (let i = 0; i < cols; i++) ref[`f${i}`] = normals(next, nRef);
  for (let i = 0; i < cols; i++) cur[`f${i}`] = normals(next, nCur, i < SHIFTED ? 0.2 : 0);
  return { ref, cur };
}

function timed<T>(fn: () => T): [T, { wall_s: number; cpu_s: number }] {
  const w = performance.now();
  const c = process.cpuUsage();
  const out = fn();
  const u = process.cpuUsage(c);
  return [out, { wall_s: +((performance.now() - w) / 1000).toFixed(3), cpu_s: +((u.user + u.system) / 1e6).toFixed(3) }];
}

const peakRssMb = () => +(process.resourceUsage().maxRSS / 1024).toFixed(1);
const drifted = (r: DriftReport) => r.columns.filter((c) => c.drifted).length;
const tests = (r: DriftReport) => [...new Set(r.columns.map((c) => c.test))];

/** In-memory report: exact (raw reference) and from a stored profile. */
function scenarioReport(nRef: number, nCur: number, cols: number) {
  const { ref, cur } = frames(nRef, nCur, cols);
  // The first report of a process runs partly before the JIT has optimised the loops; a worker
  // process that serves many reports runs warm. Both are shown.
  const [auto, tAuto] = timed(() => compareColumns(ref, cur));
  const [, tAutoWarm] = timed(() => compareColumns(ref, cur));
  const [ks, tKs] = timed(() => compareColumns(ref, cur, { test: "ks" }));
  const [profile, tBuild] = timed(() => buildReferenceProfile(ref));
  const [fromProfile, tProfile] = timed(() => compareToProfile(profile, cur));
  const [, tProfileWarm] = timed(() => compareToProfile(profile, cur));
  return {
    exact_auto: { ...tAuto, tests: tests(auto), drifted: drifted(auto) },
    exact_auto_warm: tAutoWarm,
    exact_ks: { ...tKs, drifted: drifted(ks) },
    profile_build: { ...tBuild, json_mb: +(JSON.stringify(profile).length / 2 ** 20).toFixed(2) },
    profile_report: { ...tProfile, tests: tests(fromProfile), drifted: drifted(fromProfile) },
    profile_report_warm: tProfileWarm,
    peak_rss_mb: peakRssMb(),
  };
}

/** A current window far larger than memory would hold as rows, streamed in chunks against a profile. */
function scenarioWindow(nRef: number, nCur: number, cols: number, chunk: number) {
  let profile;
  {
    const { ref } = frames(nRef, 0, cols);
    profile = buildReferenceProfile(ref);
  }
  const next = mulberry32(7);
  const window = CurrentWindow.forProfile(profile);
  let feed = 0;
  const [, total] = timed(() => {
    for (let done = 0; done < nCur; done += chunk) {
      const rows = Math.min(chunk, nCur - done);
      const part: Record<string, Float64Array> = {};
      for (let i = 0; i < cols; i++) part[`f${i}`] = normals(next, rows, i < SHIFTED ? 0.2 : 0);
      feed += timed(() => window.add(part))[1].cpu_s;
    }
  });
  const [report, tReport] = timed(() => compareToProfile(profile, window));
  return {
    rows: nCur,
    chunk_rows: chunk,
    generate_and_feed: total,
    feed_cpu_s: +feed.toFixed(3),
    report: { ...tReport, drifted: drifted(report), tests: tests(report) },
    notes: report.columns[0]?.notes.filter((n) => n.includes("sketch")) ?? [],
    peak_rss_mb: peakRssMb(),
  };
}

/** Runs a command, returning its wall time, peak RSS (GNU time) and stdout. */
function runTimed(cmd: string, args: string[]): Promise<{ wall_s: number; peak_rss_mb: number | null; stdout: string; code: number | null }> {
  return new Promise((resolve) => {
    const useTime = statSafe("/usr/bin/time");
    const start = performance.now();
    const p = useTime ? spawn("/usr/bin/time", ["-f", "__RSS__%M", cmd, ...args], { cwd: root }) : spawn(cmd, args, { cwd: root });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.on("close", (code) => {
      const m = /__RSS__(\d+)/.exec(stderr);
      if (code !== 0) process.stderr.write(stderr);
      resolve({ wall_s: +((performance.now() - start) / 1000).toFixed(3), peak_rss_mb: m ? +(Number(m[1]) / 1024).toFixed(1) : null, stdout, code });
    });
  });
}

function statSafe(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

async function child(scenario: string, ...args: string[]): Promise<unknown> {
  const r = await runTimed(process.execPath, ["--import", "tsx", join(root, "bench/drift.ts"), "--scenario", scenario, ...args]);
  if (r.code !== 0) throw new Error(`scenario ${scenario} failed`);
  return JSON.parse(r.stdout);
}

async function python(...args: string[]): Promise<{ json: unknown; wall_s: number; peak_rss_mb: number | null }> {
  const r = await runTimed(PYTHON, [join(root, "bench/drift_reference.py"), ...args]);
  if (r.code !== 0) throw new Error(`python ${args[0]} failed`);
  return { json: r.stdout.trim() ? JSON.parse(r.stdout) : null, wall_s: r.wall_s, peak_rss_mb: r.peak_rss_mb };
}

const ratio = (a: number, b: number) => +(a / b).toFixed(1);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

type Timing = { wall_s: number; cpu_s: number };
type PyReport = { auto: Timing; ks: Timing; peak_rss_mb: number };

/** 1. In-memory report, 20 numeric columns: SciPy, then TypeScript, then SciPy again (the load drifts). */
async function benchReport(size: number, cols: number) {
  const p1 = (await python("report", String(size), String(size), String(cols))).json as PyReport;
  const ts = (await child("report", "--n-ref", String(size), "--n-cur", String(size), "--cols", String(cols))) as ReturnType<typeof scenarioReport>;
  const p2 = (await python("report", String(size), String(size), String(cols))).json as PyReport;
  const best = (k: "auto" | "ks", m: keyof Timing) => Math.min(p1[k][m], p2[k][m]);
  return {
    typescript: ts,
    scipy: [p1, p2],
    speedup_vs_best_scipy: {
      exact_auto_wall: ratio(best("auto", "wall_s"), ts.exact_auto.wall_s),
      exact_auto_cpu: ratio(best("auto", "cpu_s"), ts.exact_auto.cpu_s),
      exact_auto_warm_wall: ratio(best("auto", "wall_s"), ts.exact_auto_warm.wall_s),
      exact_ks_wall: ratio(best("ks", "wall_s"), ts.exact_ks.wall_s),
      exact_ks_cpu: ratio(best("ks", "cpu_s"), ts.exact_ks.cpu_s),
      profile_report_wall: ratio(best("auto", "wall_s"), ts.profile_report.wall_s),
      profile_report_cpu: ratio(best("auto", "cpu_s"), ts.profile_report.cpu_s),
      profile_report_warm_wall: ratio(best("auto", "wall_s"), ts.profile_report_warm.wall_s),
    },
  };
}

/** 3. The CLI end to end on CSV files written by pandas, against pandas.read_csv + SciPy, alternating. */
async function benchCli(rows: number, cols: number) {
  const dir = mkdtempSync(join(tmpdir(), "drift-bench-"));
  try {
    const gen = spawnSync(PYTHON, [join(root, "bench/drift_reference.py"), "gen-csv", dir, String(rows), String(cols)]);
    if (gen.status !== 0) throw new Error(gen.stderr.toString());
    const ref = join(dir, "ref.csv");
    const cur = join(dir, "cur.csv");
    const node: { wall_s: number; peak_rss_mb: number | null }[] = [];
    const py: { wall_s: number; peak_rss_mb: number | null }[] = [];
    let same = true;
    for (let i = 0; i < 3; i++) {
      const a = await runTimed(process.execPath, [join(root, "bin/mlops.mjs"), "drift", "--reference", ref, "--current", cur, "--json"]);
      const b = await python("cli", ref, cur);
      node.push({ wall_s: a.wall_s, peak_rss_mb: a.peak_rss_mb });
      py.push({ wall_s: b.wall_s, peak_rss_mb: b.peak_rss_mb });
      const ours = JSON.parse(a.stdout) as { columns: { statistic: number }[] };
      const theirs = b.json as { columns: { statistic: number }[] };
      same &&= ours.columns.every((c, k) => Math.abs(c.statistic - theirs.columns[k]!.statistic) <= 1e-9 * Math.abs(theirs.columns[k]!.statistic));
    }
    return {
      file_mb: +(statSync(ref).size / 2 ** 20).toFixed(1),
      mlops_drift: node,
      pandas_scipy: py,
      median_wall_s: { mlops_drift: median(node.map((x) => x.wall_s)), pandas_scipy: median(py.map((x) => x.wall_s)) },
      speedup_median_wall: ratio(median(py.map((x) => x.wall_s)), median(node.map((x) => x.wall_s))),
      same_statistics_as_scipy: same,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const scenario = arg("--scenario");
  if (scenario) {
    const n = (k: string) => Number(arg(k));
    const out =
      scenario === "report"
        ? scenarioReport(n("--n-ref"), n("--n-cur"), n("--cols"))
        : scenarioWindow(n("--n-ref"), n("--n-cur"), n("--cols"), n("--chunk"));
    console.log(JSON.stringify(out));
    return;
  }
  const quick = process.argv.includes("--quick");
  const only = arg("--only");
  const want = (part: string) => !only || only === part;
  const size = quick ? 100_000 : 1_000_000;
  const rows = quick ? 20_000 : 200_000;
  const cols = 20;
  const machine: Record<string, unknown> = {
    cpus: cpus().length,
    model: cpus()[0]?.model,
    node: process.version,
    load_avg_start: loadavg().map((x) => +x.toFixed(2)),
  };
  const result: Record<string, unknown> = { machine, quick };
  if (want("report")) result[`report_${size}x${size}x${cols}`] = await benchReport(size, cols);
  // 2. A 10M-row current window (1M with --quick) streamed in chunks against a profile.
  if (want("window"))
    result.window = await child("window", "--n-ref", String(size), "--n-cur", String(size * 10), "--cols", String(cols), "--chunk", String(size / 2));
  if (want("cli")) result[`cli_csv_${rows}x${cols}`] = await benchCli(rows, cols);
  machine.load_avg_end = loadavg().map((x) => +x.toFixed(2));
  console.log(JSON.stringify(result, null, 2));
}

await main();
