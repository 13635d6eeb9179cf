// Predict route load test, side by side with a FastAPI + scikit-learn server (bench/predict_reference.py,
// uvicorn with one worker) serving the same kind of model (standardised features + logistic
// regression, wine data) in the same run. Ours runs server.ts (`mlops start` when there is a production
// build, else server.ts's fast path without Next) with API-key auth, the rate limiter, a running 50/50
// A/B test (assignment on every request) and the prediction log on.
//
//   npx tsx bench/predict.ts [--duration 10] [--connections 32] [--rounds 2] [--loader wrk|autocannon] [--wrk-threads 2]
//     [--no-reference] [--no-ceiling] [--no-shutdown] [--profile DIR]
// The load generator is wrk when it is installed (Debian: apt-get install -y wrk), else autocannon from npm.
//
// Rounds alternate ours / reference / a bare node:http server answering a constant body of the same size
// (the ceiling: what any Node HTTP server reaches on this machine with the load generator beside it),
// so all three see the same machine load. Then a shutdown check:
// SIGTERM under load, and the logged predictions are compared with the 2xx responses.
// --profile DIR writes a V8 CPU profile of our server there (open it in Chrome DevTools).
// Prints one JSON document. PREDICT_BENCH_PYTHON picks the Python (default .venv-ref/bin/python).
import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { createApiKey } from "@/lib/auth";
import { resetConfig } from "@/lib/config";
import { db, disconnectDb, migrate, newId } from "@/lib/db";
import { trainModel, type Column, type Table } from "@/lib/ml";
import { createModelVersion, createRegisteredModel, promote } from "@/lib/registry";
import { createRun, uploadRunArtifact } from "@/lib/tracking";

const root = join(import.meta.dirname, "..");
const PYTHON = process.env.PREDICT_BENCH_PYTHON ?? join(root, ".venv-ref/bin/python");
const DATA = join(root, "..", "shared", "datasets", "wine.csv");

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const flag = (name: string) => process.argv.includes(`--${name}`);
const DURATION = arg("duration", 10);
const CONNECTIONS = arg("connections", 32);
const ROUNDS = arg("rounds", 2);
/** wrk (C, multi-threaded) when installed — it leaves the servers more of the 2 cores than autocannon, a Node process, does. */
const LOADER = (() => {
  const i = process.argv.indexOf("--loader");
  const chosen = i >= 0 ? process.argv[i + 1] : spawnSync("wrk", ["--version"]).error ? "autocannon" : "wrk";
  if (chosen !== "wrk" && chosen !== "autocannon") throw new Error("--loader must be wrk or autocannon");
  return chosen;
})();
const WRK_THREADS = arg("wrk-threads", 2);

/** The shared CSV as a table: numeric features, categorical `target`. */
function loadTable(): { table: Table; firstRow: Record<string, number> } {
  const [header, ...lines] = readFileSync(DATA, "utf8").trim().split(/\r?\n/);
  const names = header!.split(",");
  const cells = lines.map((l) => l.split(","));
  const columns: Column[] = names.map((name, c) =>
    name === "target"
      ? { name, type: "categorical", values: cells.map((r) => r[c]!) }
      : { name, type: "numeric", values: Float64Array.from(cells, (r) => Number(r[c])) },
  );
  const firstRow = Object.fromEntries(names.filter((n) => n !== "target").map((n) => [n, Number(cells[0]![names.indexOf(n)])]));
  return { table: { rowCount: cells.length, columns }, firstRow };
}

async function setup(name: string) {
  await migrate();
  const { table, firstRow } = loadTable();
  const trained = await trainModel(table, { target: "target", family: "linear", params: { epochs: 200 }, seed: 1, importance: false });
  const versions: string[] = [];
  await createRegisteredModel(null, { name });
  for (let v = 0; v < 2; v++) {
    const run = await createRun(null, { name: `bench-predict-${v}` });
    await uploadRunArtifact(null, run.id, "model/manifest.json", JSON.stringify(trained.manifest));
    for (const [file, bytes] of trained.files) await uploadRunArtifact(null, run.id, `model/${file}`, bytes);
    versions.push((await createModelVersion(null, name, { source: `${run.artifactUri}/model`, runId: run.id })).id);
  }
  await promote(null, name, 1);
  const model = await db().registeredModel.findUniqueOrThrow({ where: { name } });
  // A running 50/50 test: every request pays for the arm assignment.
  await db().abTest.create({
    data: {
      id: newId(),
      name: "bench",
      modelId: model.id,
      state: "running",
      metricKind: "conversion",
      config: JSON.stringify({ arm_order: ["control", "treatment"] }),
      startedAt: new Date(),
      arms: {
        create: [
          { id: newId(), name: "control", versionId: versions[0]!, weight: 50 },
          { id: newId(), name: "treatment", versionId: versions[1]!, weight: 50 },
        ],
      },
    },
  });
  const { key } = await createApiKey({ name: "bench", role: "viewer" }, null);
  return { key, firstRow, family: trained.manifest.family };
}

function start(cmd: string, args: string[], env: Record<string, string>): { proc: ChildProcess; output: () => string } {
  const proc = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout!.on("data", (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  proc.stderr!.on("data", (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  return { proc, output: () => out };
}

async function waitFor(url: string, child: { proc: ChildProcess; output: () => string }, seconds = 180): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (child.proc.exitCode !== null) throw new Error(`server exited early:\n${child.output()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not come up:\n${child.output()}`);
}

/** CPU seconds a process has used (Linux /proc; null elsewhere): steadier than wall-clock rates on a busy machine. */
function cpuSeconds(pid: number | undefined): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

interface Load {
  /** Server CPU time per answered request (ms). */
  server_cpu_ms_per_request: number | null;
  requests_per_s: number;
  latency_ms: { p50: number; p90: number; p99: number; max: number };
  responses_2xx: number;
  non_2xx: number;
  errors: number;
}

type Generated = Omit<Load, "server_cpu_ms_per_request">;

async function viaAutocannon(url: string, body: string, headers: Record<string, string>, seconds: number): Promise<Generated> {
  const r = await autocannon({ url, method: "POST", body, headers: { "content-type": "application/json", ...headers }, connections: CONNECTIONS, duration: seconds });
  return {
    requests_per_s: Math.round(r.requests.average),
    latency_ms: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
    responses_2xx: r["2xx"],
    non_2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

/** wrk with a Lua script that sets the request and prints the summary as JSON (latencies in µs). */
async function viaWrk(url: string, body: string, headers: Record<string, string>, seconds: number, dir: string): Promise<Generated> {
  const script = join(dir, "wrk.lua");
  const lua = (v: string) => JSON.stringify(v); // a JSON string is a valid Lua string literal here (no escapes beyond \" and \\)
  writeFileSync(
    script,
    [
      `wrk.method = "POST"`,
      `wrk.body = ${lua(body)}`,
      ...Object.entries({ "content-type": "application/json", ...headers }).map(([k, v]) => `wrk.headers[${lua(k)}] = ${lua(v)}`),
      `done = function(s, latency)`,
      `  local e = s.errors`,
      `  io.write(string.format('WRK{"requests":%d,"us":%d,"status":%d,"socket":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d}\\n',`,
      `    s.requests, s.duration, e.status, e.connect + e.read + e.write + e.timeout,`,
      `    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))`,
      `end`,
    ].join("\n"),
  );
  const out = await new Promise<string>((resolve, reject) =>
    execFile("wrk", [`-t${WRK_THREADS}`, `-c${CONNECTIONS}`, `-d${seconds}s`, "-s", script, url], (err, stdout) => (err ? reject(err) : resolve(stdout))),
  );
  const m = /WRK(\{.*\})/.exec(out);
  if (!m) throw new Error(`wrk printed no summary:\n${out}`);
  const r = JSON.parse(m[1]!) as { requests: number; us: number; status: number; socket: number; p50: number; p90: number; p99: number; max: number };
  const ms = (us: number) => Math.round(us / 10) / 100;
  return {
    requests_per_s: Math.round(r.requests / (r.us / 1e6)),
    latency_ms: { p50: ms(r.p50), p90: ms(r.p90), p99: ms(r.p99), max: ms(r.max) },
    responses_2xx: r.requests - r.status,
    non_2xx: r.status,
    errors: r.socket,
  };
}

async function load(url: string, body: string, headers: Record<string, string>, seconds: number, pid?: number): Promise<Load> {
  const cpu0 = cpuSeconds(pid);
  const r = LOADER === "wrk" ? await viaWrk(url, body, headers, seconds, benchDir) : await viaAutocannon(url, body, headers, seconds);
  const cpu1 = cpuSeconds(pid);
  return {
    server_cpu_ms_per_request: cpu0 !== null && cpu1 !== null && r.responses_2xx > 0 ? Math.round(((cpu1 - cpu0) * 1e6) / r.responses_2xx) / 1000 : null,
    ...r,
  };
}

function merge(runs: Load[]): Load & { rounds: number } {
  const mean = (f: (l: Load) => number) => Math.round((runs.reduce((s, l) => s + f(l), 0) / runs.length) * 100) / 100;
  const cpu = runs.map((l) => l.server_cpu_ms_per_request).filter((v): v is number => v !== null);
  return {
    rounds: runs.length,
    server_cpu_ms_per_request: cpu.length ? Math.round((cpu.reduce((a, b) => a + b, 0) / cpu.length) * 1000) / 1000 : null,
    requests_per_s: Math.round(mean((l) => l.requests_per_s)),
    latency_ms: { p50: mean((l) => l.latency_ms.p50), p90: mean((l) => l.latency_ms.p90), p99: mean((l) => l.latency_ms.p99), max: Math.max(...runs.map((l) => l.latency_ms.max)) },
    responses_2xx: runs.reduce((s, l) => s + l.responses_2xx, 0),
    non_2xx: runs.reduce((s, l) => s + l.non_2xx, 0),
    errors: runs.reduce((s, l) => s + l.errors, 0),
  };
}

function profileArgs(): string[] {
  const i = process.argv.indexOf("--profile");
  return i >= 0 ? ["--cpu-prof", "--cpu-prof-dir", process.argv[i + 1]!] : [];
}

/** Source of a node:http server that reads the body and answers a constant JSON body (set by POST /body). */
function bareServer(port: number): string {
  return `const http = require("node:http");
let reply = Buffer.from("{}");
http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    if (req.url === "/body") reply = Buffer.concat(chunks);
    res.writeHead(200, { "content-type": "application/json", "content-length": reply.length });
    res.end(reply);
  });
}).listen(${port}, "127.0.0.1");`;
}

const benchDir = mkdtempSync(join(tmpdir(), "bench-predict-"));

async function main() {
  const dir = benchDir;
  const env = {
    DATABASE_URL: `file:${join(dir, "db.sqlite")}`,
    ARTIFACT_STORE: `file:${join(dir, "artifacts")}`,
    LOG_LEVEL: "warn",
    // The limiter runs on every request; the bench's single key must not hit it.
    PREDICT_RATE_LIMIT: "10000000",
    START_WORKER: "false",
    ADMIN_EMAIL: "bench@example.com",
    ADMIN_PASSWORD: "bench-password-1",
  };
  Object.assign(process.env, env);
  resetConfig();
  const children: ChildProcess[] = [];
  const load0 = loadavg();
  try {
    const name = "bench-wine";
    const { key, firstRow, family } = await setup(name);
    const ourPort = 3900 + Math.floor(Math.random() * 50);
    const refPort = ourPort + 50;
    // With a production build: `mlops start`. Without one: server.ts with the fast path only (the
    // same request handling; a Next dev server would add its compiler to the machine's load).
    const built = existsSync(join(root, ".next", "BUILD_ID"));
    const ours = built
      ? start(process.execPath, [...profileArgs(), "bin/mlops.mjs", "start", "--no-worker", "--port", String(ourPort)], { ...env, LOG_PRETTY: "false" })
      : start(process.execPath, [...profileArgs(), "--import", "tsx", "bench/predict-server.ts", String(ourPort)], { ...env, LOG_PRETTY: "false" });
    children.push(ours.proc);
    const withReference = !flag("no-reference");
    const ref = withReference ? start(PYTHON, ["bench/predict_reference.py", "serve", DATA, "target", String(refPort)], {}) : null;
    if (ref) children.push(ref.proc);
    await waitFor(`http://127.0.0.1:${ourPort}/api/health`, ours);
    if (ref) await waitFor(`http://127.0.0.1:${refPort}/health`, ref);
    const ceilingPort = refPort + 50;
    const ceiling = flag("no-ceiling") ? null : start(process.execPath, ["-e", bareServer(ceilingPort)], {});
    if (ceiling) children.push(ceiling.proc);

    const body = JSON.stringify({ instances: [firstRow] });
    const oursUrl = `http://127.0.0.1:${ourPort}/api/v1/models/${name}/predict`;
    const refUrl = `http://127.0.0.1:${refPort}/predict`;
    const auth = { authorization: `Bearer ${key}` };
    const sample = await (await fetch(oursUrl, { method: "POST", body, headers: { "content-type": "application/json", ...auth } })).json();
    const ceilingUrl = `http://127.0.0.1:${ceilingPort}/`;
    if (ceiling) {
      await waitFor(ceilingUrl, ceiling);
      await fetch(`${ceilingUrl}body`, { method: "POST", body: JSON.stringify(sample) });
      await load(ceilingUrl, body, {}, 3);
    }
    // Warm-up: JIT, caches, connection pools.
    await load(oursUrl, body, auth, 3);
    if (ref) await load(refUrl, body, {}, 3);
    const oursRuns: Load[] = [];
    const refRuns: Load[] = [];
    const ceilingRuns: Load[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      oursRuns.push(await load(oursUrl, body, auth, DURATION, ours.proc.pid));
      if (ref) refRuns.push(await load(refUrl, body, {}, DURATION, ref.proc.pid));
      if (ceiling) ceilingRuns.push(await load(ceilingUrl, body, {}, DURATION, ceiling.proc.pid));
    }

    let shutdown: Record<string, unknown> | null = null;
    if (!flag("no-shutdown")) {
      // Let the buffer's timer write what the rounds left, then count only this phase's rows.
      await new Promise((r) => setTimeout(r, 1500));
      const before = await db().predictionLog.count();
      const phase = load(oursUrl, body, auth, 4);
      await new Promise((r) => setTimeout(r, 2000));
      ours.proc.kill("SIGTERM");
      const exit = await new Promise<number | null>((r) => ours.proc.once("exit", (code) => r(code)));
      const result = await phase;
      const logged = (await db().predictionLog.count()) - before;
      shutdown = { exit_code: exit, responses_2xx: result.responses_2xx, logged_predictions: logged, equal: logged === result.responses_2xx };
    }

    const o = merge(oursRuns);
    const f = ref ? merge(refRuns) : null;
    const c = ceiling ? merge(ceilingRuns) : null;
    console.log(
      JSON.stringify(
        {
          bench: "predict",
          machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg_before: load0, loadavg_after: loadavg() },
          setup: {
            model: `${family} (logistic regression), wine data, 13 features, 3 classes`,
            request: "one row per request, JSON object keyed by feature",
            connections: CONNECTIONS,
            load_generator: LOADER === "wrk" ? `wrk, ${WRK_THREADS} threads` : "autocannon",
            duration_s: DURATION,
            rounds: ROUNDS,
            ours: `${built ? "mlops start" : "server.ts without Next (bench/predict-server.ts)"}: fast path, API key, rate limiter, 50/50 A/B test, prediction log`,
            reference: "FastAPI + scikit-learn (StandardScaler + LogisticRegression), uvicorn, 1 worker",
          },
          sample_response: sample,
          ours: o,
          reference: f,
          ceiling: c,
          ratio_requests_per_s: f ? Math.round((o.requests_per_s / f.requests_per_s) * 10) / 10 : null,
          // The best ratio any Node HTTP server could show here against the reference.
          ratio_ceiling_over_reference: f && c ? Math.round((c.requests_per_s / f.requests_per_s) * 10) / 10 : null,
          // Requests per CPU-second, ours over the reference: what the rate ratio would be with a core each.
          ratio_cpu_efficiency: f?.server_cpu_ms_per_request && o.server_cpu_ms_per_request ? Math.round((f.server_cpu_ms_per_request / o.server_cpu_ms_per_request) * 10) / 10 : null,
          bar: { ratio_at_least_20: f ? o.requests_per_s >= 20 * f.requests_per_s : null, p99_at_most_10ms: o.latency_ms.p99 <= 10 },
          shutdown,
        },
        null,
        2,
      ),
    );
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
    await disconnectDb();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
