// Creates a fresh, migrated database for one integration run and removes it afterwards.
// SQLite: a file in a temp folder. PostgreSQL: a new database on PG_URL (default 127.0.0.1:5432, user root).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";

export const PG_ADMIN_URL = process.env.PG_URL ?? "postgresql://root@127.0.0.1:5432/postgres";

export default async function setup(project: TestProject) {
  // The project's `env` reaches its test workers, not this global setup (it runs in the main
  // process, once per project): read the database kind from the project's own config.
  const kind = project.config.env?.TEST_DB === "postgres" ? "postgres" : "sqlite";
  let url: string;
  let cleanup: () => Promise<void>;
  if (kind === "postgres") {
    const name = `mlops_test_${process.pid}_${Date.now().toString(36)}`;
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(PG_ADMIN_URL);
    u.pathname = `/${name}`;
    url = u.toString();
    cleanup = async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  } else {
    const dir = mkdtempSync(join(tmpdir(), "mlops-test-"));
    url = `file:${join(dir, "test.db")}`;
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  }
  process.env.DATABASE_URL = url;
  const { migrate } = await import("../../lib/db/index.ts");
  await migrate(url);
  project.provide("databaseUrl", url);
  return cleanup;
}

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}
