// Scratch databases for the benches: a temp SQLite file and/or a fresh PostgreSQL database (on
// PG_URL's server), each removed after its measurement.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

const PG_ADMIN = process.env.PG_URL ?? "postgresql://root@127.0.0.1:5432/postgres";

/** Runs `measure` against a scratch SQLite database, a scratch PostgreSQL database, or both (`which`). */
export async function onScratchDatabases<T>(which: string, prefix: string, measure: (kind: "sqlite" | "postgres", url: string) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  if (which === "sqlite" || which === "both") {
    const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
    try {
      results.push(await measure("sqlite", `file:${join(dir, "bench.db")}`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (which === "postgres" || which === "both") {
    const name = `${prefix.replace(/\W/g, "_")}_${process.pid}`;
    const admin = new pg.Client({ connectionString: PG_ADMIN });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const u = new URL(PG_ADMIN);
    u.pathname = `/${name}`;
    try {
      results.push(await measure("postgres", u.toString()));
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  }
  return results;
}
