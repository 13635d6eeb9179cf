// `npm run health`: checks a running instance over HTTP — alive, ready (database reachable and
// migrated), queue depth and worker heartbeats — and says in plain words what is wrong.

export interface HealthOptions {
  /** Base URL of the instance, e.g. http://localhost:3000. */
  url: string;
  timeoutMs?: number;
  /** Fewest live workers (heartbeat within 60 s) accepted; 0 skips the check. */
  minWorkers?: number;
  /** Most due jobs waiting accepted (unset: no limit). */
  maxQueued?: number;
  /** Longest wait of the oldest due job accepted, in seconds (unset: no limit). */
  maxWaitSeconds?: number;
}

export interface HealthCheck {
  name: "live" | "ready" | "queue" | "workers";
  ok: boolean;
  detail: string;
}

export interface HealthReport {
  url: string;
  healthy: boolean;
  checks: HealthCheck[];
}

interface ReadyBody {
  status?: string;
  database?: { kind?: string; reachable?: boolean; migrated?: boolean; pending?: string[]; error?: string };
  queue?: { due: number; queued: number; running: number; dead: number; oldestDueSeconds: number };
  workers?: { alive: number; lastHeartbeatAt: string | null };
}

function reason(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === "TimeoutError") return "no answer in time";
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}

async function get(url: string, timeoutMs: number): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: "application/json" } });
  return { status: res.status, text: await res.text() };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function ago(iso: string | null, now = Date.now()): string {
  if (!iso) return "never";
  return `${Math.max(0, Math.round((now - Date.parse(iso)) / 1000))} s ago`;
}

export function normalizeUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Error(`--url '${raw}' is not a URL (expected e.g. http://localhost:3000)`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error(`--url '${raw}' must start with http:// or https://`);
  return u.toString().replace(/\/+$/, "");
}

export async function checkHealth(opts: HealthOptions): Promise<HealthReport> {
  const base = normalizeUrl(opts.url);
  const timeoutMs = opts.timeoutMs ?? 5000;
  const checks: HealthCheck[] = [];
  const done = () => ({ url: base, healthy: checks.every((c) => c.ok), checks });

  try {
    const live = await get(`${base}/api/health`, timeoutMs);
    checks.push({ name: "live", ok: live.status === 200, detail: live.status === 200 ? "server answers" : `GET /api/health returned ${live.status}` });
  } catch (err) {
    checks.push({ name: "live", ok: false, detail: `cannot reach ${base}: ${reason(err)} (is the server running? point --url at it)` });
    return done();
  }

  let body: ReadyBody = {};
  try {
    const ready = await get(`${base}/api/health/ready`, timeoutMs);
    try {
      body = JSON.parse(ready.text) as ReadyBody;
    } catch {
      checks.push({ name: "ready", ok: false, detail: `GET /api/health/ready returned ${ready.status} without a JSON body` });
      return done();
    }
    const db = body.database ?? {};
    if (ready.status === 200 && body.status === "ready") {
      checks.push({ name: "ready", ok: true, detail: `database (${db.kind ?? "?"}) reachable, migrations applied` });
    } else if (db.reachable === false) {
      checks.push({ name: "ready", ok: false, detail: `database (${db.kind ?? "?"}) not reachable: ${db.error ?? "no detail"}` });
    } else if (db.migrated === false) {
      checks.push({ name: "ready", ok: false, detail: `migrations pending: ${(db.pending ?? []).join(", ") || "?"} (run: npx mlops migrate)` });
    } else {
      checks.push({ name: "ready", ok: false, detail: `GET /api/health/ready returned ${ready.status}` });
    }
  } catch (err) {
    checks.push({ name: "ready", ok: false, detail: `GET /api/health/ready failed: ${reason(err)}` });
    return done();
  }

  const q = body.queue;
  if (!q) {
    checks.push({ name: "queue", ok: false, detail: "the readiness report has no queue figures (database not ready, or an older server)" });
  } else {
    const problems: string[] = [];
    if (opts.maxQueued !== undefined && q.due > opts.maxQueued) problems.push(`more than ${opts.maxQueued} due`);
    if (opts.maxWaitSeconds !== undefined && q.oldestDueSeconds > opts.maxWaitSeconds) {
      problems.push(`oldest due job waiting longer than ${opts.maxWaitSeconds} s`);
    }
    const figures = `${q.due} due (${q.queued} queued in all), ${q.running} running, ${q.dead} dead; oldest due job waiting ${q.oldestDueSeconds} s`;
    checks.push({ name: "queue", ok: problems.length === 0, detail: problems.length ? `${problems.join("; ")}: ${figures}` : figures });
  }

  const minWorkers = opts.minWorkers ?? 1;
  const w = body.workers;
  if (minWorkers > 0) {
    if (!w) {
      checks.push({ name: "workers", ok: false, detail: "the readiness report has no worker figures" });
    } else if (w.alive < minWorkers) {
      checks.push({
        name: "workers",
        ok: false,
        detail: `${plural(w.alive, "worker")} alive, at least ${minWorkers} expected (last heartbeat ${ago(w.lastHeartbeatAt)}); start one with: npx mlops worker`,
      });
    } else {
      checks.push({ name: "workers", ok: true, detail: `${plural(w.alive, "worker")} alive (last heartbeat ${ago(w.lastHeartbeatAt)})` });
    }
  }
  return done();
}

export function formatHealth(report: HealthReport): string {
  const lines = report.checks.map((c) => `${c.ok ? "ok  " : "FAIL"}  ${c.name.padEnd(8)} ${c.detail}`);
  lines.push(report.healthy ? `healthy: ${report.url}` : `UNHEALTHY: ${report.url}`);
  return lines.join("\n");
}
