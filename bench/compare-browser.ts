// The compare view in Chromium at scale: one experiment of 100 runs × 10,000 steps of two metrics
// (2,000,000 points, logged through logBatch), the production server (`mlops start` on a
// `next build`), and the time from navigation start until the page is interactive: every chart
// drawn with one line per run, then a click on a run in the legend has hidden its line in every
// chart. Prints JSON: each repetition (the first cold: empty browser cache, the page's first render
// by a fresh server; the rest warm: same tab, cached scripts), the medians, the bytes of the
// page's responses (the downsampled histories stream inside the document), and the 1.5 s target
// (met when the median of all repetitions is at most 1.5 s).
//   npx tsx bench/compare-browser.ts [--db sqlite|postgres|both] [--runs 100] [--steps 10000]
//     [--keys loss,accuracy] [--reps 5] [--sample-cache off,on] [--build-dir DIR] [--trace FILE]
// Each database is measured with a server per --sample-cache setting: "off" (METRIC_SAMPLE_CACHE_MB=0)
// samples every series in SQL on every load, what the first view of a new selection of runs costs;
// "on" (the default 32 MB) reuses the samples of series that gained no points since.
// The production build is made in a copy of the working tree (node_modules hard-linked), so the
// project's own .next is left alone: in a temp dir removed afterwards, or in --build-dir, kept and
// reused by later runs while DIR/.next/BUILD_ID exists (delete DIR to rebuild after code changes).
// --trace writes a Chrome performance trace of the last warm repetition (open it in DevTools).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page, type Response } from "@playwright/test";
import { resetConfig } from "@/lib/config";
import { disconnectDb, migrate } from "@/lib/db";
import { seedCompareExperiment } from "./compare-seed";
import { freePort } from "../tests/support/processes";
import { onScratchDatabases } from "./scratch-db";

const TARGET_MS = 1500;
const VIEWPORT = { width: 1280, height: 800 };
const ADMIN = { email: "bench-admin@example.com", password: "bench-password-1" };
const root = fileURLToPath(new URL("..", import.meta.url));

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ""), process.argv[i + 1] ?? "");
const which = args.get("db") ?? "sqlite";
const RUNS = Number(args.get("runs") ?? 100);
const STEPS = Number(args.get("steps") ?? 10_000);
const KEYS = (args.get("keys") ?? "loss,accuracy").split(",").map((k) => k.trim()).filter(Boolean);
const REPS = Number(args.get("reps") ?? 5);
const TRACE = args.get("trace");
const SAMPLE_CACHE = (args.get("sample-cache") ?? "off,on").split(",").map((c) => c.trim()) as ("off" | "on")[];
if (!SAMPLE_CACHE.length || SAMPLE_CACHE.some((c) => c !== "off" && c !== "on")) throw new Error("--sample-cache takes off, on or off,on");
if (!["sqlite", "postgres", "both"].includes(which)) throw new Error(`--db must be sqlite, postgres or both, not '${which}'`);
for (const [name, n, min] of [["runs", RUNS, 2], ["steps", STEPS, 1], ["reps", REPS, 1]] as const) {
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number of at least ${min}`);
}
if (RUNS > 100) throw new Error("--runs: the compare page draws at most 100 runs");
if (KEYS.length === 0) throw new Error("--keys needs at least one metric key");

const log = (line: string) => process.stderr.write(`${line}\n`);

/** Copies the working tree (without data, builds, VCS) and hard-links node_modules into it. */
function copyProject(dir: string): void {
  const skip = new Set(["node_modules", ".next", ".git", "data", "test-results", "playwright-report"]);
  cpSync(root, dir, {
    recursive: true,
    filter: (src) => {
      const top = relative(root, src).split("/")[0]!;
      return !skip.has(top) && !top.startsWith(".venv");
    },
  });
  // Turbopack refuses a node_modules symlinked from outside the project; hard links are plain files.
  const linked = spawnSync("cp", ["-al", join(root, "node_modules"), join(dir, "node_modules")], { stdio: ["ignore", 2, 2] });
  if (linked.status !== 0) {
    const copied = spawnSync("cp", ["-a", join(root, "node_modules"), join(dir, "node_modules")], { stdio: ["ignore", 2, 2] });
    if (copied.status !== 0) throw new Error(`could not copy node_modules into ${dir}`);
  }
  // The build's type check is tsc's job (npm run typecheck), and a half-edited file elsewhere in the
  // tree must not stop a measurement of this page: the copy's config skips it, nothing else changes.
  renameSync(join(dir, "next.config.js"), join(dir, "next.config.base.js"));
  writeFileSync(
    join(dir, "next.config.js"),
    'import base from "./next.config.base.js";\nexport default { ...base, typescript: { ...base.typescript, ignoreBuildErrors: true } };\n',
  );
}

/** A production build of the working tree in `dir` (reused when one is there); seconds spent building. */
function ensureBuild(dir: string): number {
  if (existsSync(join(dir, ".next", "BUILD_ID"))) {
    log(`reusing the production build in ${dir}`);
    return 0;
  }
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new Error(`${dir} holds no finished build: remove it, or name an empty or new directory`);
  mkdirSync(dir, { recursive: true });
  log(`copying the project to ${dir} and running next build there (a few minutes)…`);
  const t = performance.now();
  copyProject(dir);
  const built = spawnSync(process.execPath, [join(dir, "node_modules/next/dist/bin/next"), "build"], {
    cwd: dir,
    // Its output goes to stderr: stdout is the JSON result.
    stdio: ["ignore", 2, 2],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
  });
  if (built.status !== 0) throw new Error(`next build in ${dir} failed (exit code ${built.status})`);
  return (performance.now() - t) / 1000;
}


interface Server {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const CLOCK_TICKS = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;

/** CPU time (user + system, ms) a process has used so far; 0 once it is gone. Linux /proc. */
function cpuMs(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces): state is 3rd, utime 14th, stime 15th.
    const rest = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ").at(-1)!.split(" ");
    return ((Number(rest[11]) + Number(rest[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** The browser's processes: every descendant of this one but the server. */
function browserPids(serverPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${name}/stat`, "utf8").split(") ").at(-1)!.split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // Gone meanwhile.
    }
  }
  const out: number[] = [];
  const queue = [process.pid];
  while (queue.length) {
    for (const c of children.get(queue.pop()!) ?? []) {
      if (c === serverPid) continue;
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

/** `mlops start --no-worker` from the build dir, as a user runs it; resolves once it is ready. */
async function startServer(dir: string, databaseUrl: string, dataDir: string, sampleCacheMb: string): Promise<Server> {
  const port = await freePort();
  const proc: ChildProcess = spawn(process.execPath, ["bin/mlops.mjs", "start", "--no-worker", "--port", String(port)], {
    cwd: dir,
    env: {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: databaseUrl,
      ARTIFACT_STORE: `file:${join(dataDir, "artifacts")}`,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      LOG_LEVEL: "warn",
      NEXT_TELEMETRY_DISABLED: "1",
      METRIC_SAMPLE_CACHE_MB: sampleCacheMb,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  const stop = async () => {
    if (gone) return;
    proc.kill("SIGTERM");
    const timer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const url = `http://localhost:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (gone) throw new Error(`the server exited before it was ready:\n${out}`);
    if ((await fetch(`${url}/api/health/ready`).then((r) => r.status, () => 0)) === 200) return { url, pid: proc.pid!, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the server was not ready within 120 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface Repetition {
  kind: "cold" | "warm";
  /** Navigation start → the legend click's effect is drawn in every chart. */
  interactiveMs: number;
  /** Navigation start → every chart has one line per run. */
  chartsDrawnMs: number;
  /** Navigation start → the page received the click (sent as a real mouse click once the charts were drawn). */
  clickReceivedMs: number;
  /** Click received → the run's line gone from every chart. */
  clickToUpdateMs: number;
  firstByteMs: number;
  /** The document fully received: the downsampled histories stream inside it. */
  documentDoneMs: number;
  domContentLoadedMs: number;
  /**
   * CPU time used from navigation until interactive, by the server process and by all browser
   * processes (10 ms resolution): unlike the wall times, barely changed by other work on the machine.
   */
  cpuMs: { server: number; browser: number };
  /** Main-thread tasks over 50 ms before the page was interactive: count and total ms. */
  longTasks: number;
  longTasksMs: number;
  documentBytes: { transferred: number; decoded: number; encoding: string };
  /** Every response of the page load (scripts come from the cache on warm loads). */
  allResponsesTransferredBytes: number;
  requests: number;
}

type Probe = { drawnAt: number | null; runId: string | null; x: number; y: number; hiddenAt: number | null };
type ProbedWindow = { __probe: Probe; __longTasks: [number, number][]; __clicks: number[] };

/**
 * Runs in each document from its start (plain JavaScript text: the TypeScript loader would wrap
 * a function's inner functions in helpers the page does not have). Records long tasks, when
 * trusted clicks arrive, and (by a MutationObserver, so nothing polls on every frame and keeps the
 * page drawing) the moment every chart has one line per run, then the moment the first run's line
 * is gone from every chart.
 */
const pageProbes = (keys: number, runs: number) => `
  window.__longTasks = [];
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]); })
    .observe({ type: "longtask", buffered: true });
  window.__clicks = [];
  window.addEventListener("click", (e) => { if (e.isTrusted) window.__clicks.push(e.timeStamp); }, true);
  const probe = (window.__probe = { drawnAt: null, runId: null, x: 0, y: 0, hiddenAt: null });
  const check = () => {
    const charts = document.querySelectorAll('figure[data-testid="metric-chart"]');
    if (charts.length !== ${keys} || probe.hiddenAt !== null) return;
    if (probe.drawnAt === null) {
      for (const c of charts) {
        const lines = c.querySelectorAll("path.metric-line");
        if (lines.length !== ${runs}) return;
        for (const l of lines) if (!l.getAttribute("d")) return;
      }
      // Where a user would click to hide the first run (the layout is due before paint anyway).
      const entry = document.querySelector('[data-testid="legend-entry"]');
      if (!entry) return;
      const box = entry.getBoundingClientRect();
      probe.runId = entry.getAttribute("data-run-id");
      probe.x = box.x + box.width / 2;
      probe.y = box.y + box.height / 2;
      probe.drawnAt = performance.now();
      return;
    }
    for (const c of charts) {
      if (c.querySelectorAll("path.metric-line").length !== ${runs - 1}) return;
      if (c.querySelector('path.metric-line[data-run-id="' + probe.runId + '"]')) return;
    }
    probe.hiddenAt = performance.now();
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["d"] });
`;

async function measureOnce(page: Page, url: string, kind: Repetition["kind"], serverPid: number): Promise<Repetition> {
  const responses: Response[] = [];
  // Per process: a renderer started during the load counts from zero.
  const browserAtStart = new Map(browserPids(serverPid).map((p) => [p, cpuMs(p)]));
  const serverAtStart = cpuMs(serverPid);
  const onResponse = (r: Response) => responses.push(r);
  page.on("response", onResponse);
  try {
    const doc = await page.goto(url, { waitUntil: "commit" });
    if (!doc || doc.status() !== 200) throw new Error(`${url} answered ${doc?.status()}`);
    // Times are the page's own clock (0 = navigation start), taken by the probes.
    const drawn = await page.waitForFunction(
      () => {
        const probe = (window as unknown as ProbedWindow).__probe;
        return probe.drawnAt !== null && probe;
      },
      null,
      { polling: 10, timeout: 120_000 },
    );
    const { drawnAt: chartsDrawnMs, x, y } = (await drawn.jsonValue()) as Probe;
    // A real mouse click on the first run's legend entry as soon as the charts are drawn: the
    // input goes through the browser like a user's (Playwright's locator click would first check
    // that the element is stable, over a few more round trips).
    if (y < 0 || y > VIEWPORT.height) throw new Error(`the legend is outside the window (y = ${y})`);
    await page.mouse.click(x, y);
    await page.waitForFunction(() => (window as unknown as ProbedWindow).__probe.hiddenAt !== null, null, { polling: 10, timeout: 60_000 });
    const interactiveMs = (await page.evaluate(() => (window as unknown as ProbedWindow).__probe.hiddenAt))!;
    const cpu = {
      server: Math.round(cpuMs(serverPid) - serverAtStart),
      browser: Math.round(browserPids(serverPid).reduce((n, p) => n + cpuMs(p) - (browserAtStart.get(p) ?? 0), 0)),
    };
    const timing = (await page.evaluate(() => {
      const n = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
      return {
        firstByteMs: n.responseStart,
        documentDoneMs: n.responseEnd,
        domContentLoadedMs: n.domContentLoadedEventEnd,
        longTasks: (window as unknown as ProbedWindow).__longTasks,
        clicks: (window as unknown as ProbedWindow).__clicks,
      };
    })) as { firstByteMs: number; documentDoneMs: number; domContentLoadedMs: number; longTasks: [number, number][]; clicks: number[] };
    if (timing.clicks.length !== 1) throw new Error(`the page saw ${timing.clicks.length} clicks, expected 1`);
    const clickReceivedMs = timing.clicks[0]!;
    await page.waitForLoadState("load");
    const before = timing.longTasks.filter(([start]) => start < interactiveMs);
    let transferred = 0;
    for (const r of responses) {
      const sizes = await r.request().sizes();
      transferred += sizes.responseBodySize + sizes.responseHeadersSize;
    }
    const docSizes = await doc.request().sizes();
    const r1 = (n: number) => Number(n.toFixed(1));
    return {
      kind,
      interactiveMs: r1(interactiveMs),
      chartsDrawnMs: r1(chartsDrawnMs!),
      clickReceivedMs: r1(clickReceivedMs),
      clickToUpdateMs: r1(interactiveMs - clickReceivedMs),
      cpuMs: cpu,
      firstByteMs: r1(timing.firstByteMs),
      documentDoneMs: r1(timing.documentDoneMs),
      domContentLoadedMs: r1(timing.domContentLoadedMs),
      longTasks: before.length,
      longTasksMs: r1(before.reduce((s, [, d]) => s + d, 0)),
      documentBytes: {
        transferred: docSizes.responseBodySize,
        decoded: (await doc.body()).length,
        encoding: (await doc.headerValue("content-encoding")) ?? "identity",
      },
      allResponsesTransferredBytes: transferred,
      requests: responses.length,
    };
  } finally {
    page.off("response", onResponse);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return Number((s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2).toFixed(1));
}

async function measure(browser: Browser, buildDir: string, kind: "sqlite" | "postgres", databaseUrl: string) {
  process.env.DATABASE_URL = databaseUrl;
  resetConfig();
  await migrate(databaseUrl);
  log(`${kind}: seeding ${RUNS} runs × ${STEPS} steps × ${KEYS.length} metrics…`);
  const seeded = performance.now();
  const { experimentId, runIds } = await seedCompareExperiment({ runs: RUNS, steps: STEPS, keys: KEYS });
  const seedSeconds = (performance.now() - seeded) / 1000;
  await disconnectDb();
  const base = { database: kind, runs: RUNS, stepsPerRun: STEPS, metricKeys: KEYS, pointsStored: RUNS * STEPS * KEYS.length, seedSeconds: Number(seedSeconds.toFixed(1)) };
  const out = [];
  for (const cache of SAMPLE_CACHE) out.push({ ...base, ...(await measureServer(browser, buildDir, kind, databaseUrl, experimentId, runIds, cache)) });
  return out;
}

/**
 * One server: the first repetition cold, the rest warm. With the sample cache off every repetition
 * samples all series in SQL (what the first view of a new selection of runs costs); with it on, the
 * warm repetitions read only the series' point counts.
 */
async function measureServer(
  browser: Browser,
  buildDir: string,
  kind: "sqlite" | "postgres",
  databaseUrl: string,
  experimentId: string,
  runIds: string[],
  cache: "off" | "on",
) {
  const dataDir = mkdtempSync(join(tmpdir(), "mlops-compare-browser-data-"));
  const server = await startServer(buildDir, databaseUrl, dataDir, cache === "off" ? "0" : "32");
  try {
    const context = await browser.newContext({ baseURL: server.url, viewport: VIEWPORT, colorScheme: "light" });
    await context.addInitScript({ content: pageProbes(KEYS.length, RUNS) });
    // Signed in through NextAuth's credentials endpoint, as scripts/screenshots.ts does: the session
    // cookie lands in the context.
    const { csrfToken } = (await (await context.request.get("/api/auth/csrf")).json()) as { csrfToken: string };
    const signin = await context.request.post("/api/auth/callback/credentials", {
      form: { email: ADMIN.email, password: ADMIN.password, csrfToken, json: "true" },
    });
    const session = (await (await context.request.get("/api/auth/session")).json()) as { user?: unknown };
    if (!signin.ok() || !session.user) throw new Error(`could not sign in as ${ADMIN.email} (status ${signin.status()})`);

    // The link the experiment page's Compare button makes.
    const url = `/experiments/${experimentId}/compare?runs=${runIds.join(",")}`;
    const page = await context.newPage();
    const reps: Repetition[] = [];
    for (let i = 0; i < REPS; i++) {
      const last = i === REPS - 1;
      if (TRACE && last && REPS > 1) await browser.startTracing(page, { path: TRACE, screenshots: false });
      reps.push(await measureOnce(page, url, i === 0 ? "cold" : "warm", server.pid));
      if (TRACE && last && REPS > 1) await browser.stopTracing();
      log(`${kind}, sample cache ${cache}: ${reps.at(-1)!.kind} ${reps.at(-1)!.interactiveMs} ms`);
    }
    await context.close();
    const warm = reps.filter((r) => r.kind === "warm");
    const medianMs = median(reps.map((r) => r.interactiveMs));
    return {
      sampleCache: cache === "off" ? "off (METRIC_SAMPLE_CACHE_MB=0)" : "on (METRIC_SAMPLE_CACHE_MB=32)",
      repetitions: reps,
      coldInteractiveMs: reps[0]!.interactiveMs,
      warmMedianInteractiveMs: warm.length ? median(warm.map((r) => r.interactiveMs)) : null,
      medianInteractiveMs: medianMs,
      targetMs: TARGET_MS,
      meetsTarget: medianMs <= TARGET_MS,
      coldMeetsTarget: reps[0]!.interactiveMs <= TARGET_MS,
    };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const loadStart = loadavg()[0];
const givenBuildDir = args.get("build-dir");
const buildDir = givenBuildDir ?? mkdtempSync(join(tmpdir(), "mlops-compare-build-"));
let browser: Browser | null = null;
try {
  const buildSeconds = ensureBuild(buildDir);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
  });
  const b = browser;
  const results = (await onScratchDatabases(which, "mlops-compare-browser", (kind, url) => measure(b, buildDir, kind, url))).flat();
  console.log(
    JSON.stringify(
      {
        bench: "compare view in Chromium",
        server: "mlops start --no-worker (next build, NODE_ENV=production)",
        browser: `Chromium ${browser.version()} headless, 1280×800`,
        buildSeconds: Number(buildSeconds.toFixed(0)),
        cpus: cpus().length,
        loadAverage1mAtStart: Number(loadStart?.toFixed(2)),
        loadAverage1mAtEnd: Number(loadavg()[0]?.toFixed(2)),
        targetMs: TARGET_MS,
        meetsTarget: results.every((r) => r.meetsTarget),
        results,
      },
      null,
      2,
    ),
  );
} finally {
  await browser?.close();
  if (!givenBuildDir) rmSync(buildDir, { recursive: true, force: true });
}
