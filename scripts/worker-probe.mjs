#!/usr/bin/env node
// Liveness of a worker container (deploy/k8s worker Deployment): exits 1 when this host's worker
// has stopped renewing its heartbeat in the database. Plain JavaScript on the driver, no tsx, so a
// probe costs a fraction of a second. Passes while the database is unreachable: restarting the
// worker would not fix that, and the web readiness reports it.
import { hostname } from "node:os";

const url = process.env.DATABASE_URL ?? "file:./data/mlops.db";
// The same limit as the readiness report's "alive" workers (lib/observability/health.ts).
const staleMs = 60_000;
const host = hostname();
const sql = `SELECT "heartbeatAt" AS beat FROM "Worker" WHERE "hostname" = $1 AND "stoppedAt" IS NULL ORDER BY "heartbeatAt" DESC LIMIT 1`;

async function latestBeat() {
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { default: pg } = await import("pg");
    // Prisma stores UTC in "timestamp without time zone": read it as UTC, whatever TZ says.
    const types = { getTypeParser: (oid, format) => (oid === 1114 ? (v) => new Date(`${v.replace(" ", "T")}Z`) : pg.types.getTypeParser(oid, format)) };
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000, statement_timeout: 5000, types });
    await client.connect();
    try {
      const r = await client.query(sql, [host]);
      return r.rows[0]?.beat ?? null;
    } finally {
      await client.end();
    }
  }
  const { default: Database } = await import("better-sqlite3");
  const db = new Database(url.replace(/^file:/, ""), { readonly: true, fileMustExist: true, timeout: 5000 });
  try {
    return db.prepare(sql.replace("$1", "?")).get(host)?.beat ?? null;
  } finally {
    db.close();
  }
}

function toMs(v) {
  if (v instanceof Date) return v.getTime();
  if (typeof v === "number" || typeof v === "bigint") return Number(v);
  return Date.parse(String(v));
}

let beat;
try {
  beat = await latestBeat();
} catch (err) {
  console.log(`worker probe: database not reachable (${err.message}); not failing the pod for it`);
  process.exit(0);
}
if (beat == null) {
  console.error(`worker probe: no running worker registered for host ${host}`);
  process.exit(1);
}
const age = Date.now() - toMs(beat);
if (!(age <= staleMs)) {
  console.error(`worker probe: last heartbeat of ${host} was ${Math.round(age / 1000)} s ago (limit ${staleMs / 1000} s)`);
  process.exit(1);
}
console.log(`worker probe: ok (heartbeat ${Math.round(age / 1000)} s ago)`);
