// The one way to the database. SQLite (embedded, WAL) by default; PostgreSQL when DATABASE_URL says so.
// Both generated clients share the schema, so the rest of lib sees one `Db` type.
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { config, isPostgresUrl } from "../config";
import { capturingFactory, runBulkTransaction, type AdapterHolder } from "./bulk";
import { loadMigrations, migratePostgres, migrateSqlite } from "./migrate";
import { PrismaClient as SqliteClient } from "./generated/sqlite/client";
import { PrismaClient as PostgresClient } from "./generated/postgres/client";

export type Db = InstanceType<typeof SqliteClient>;
export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];
export type DbKind = "sqlite" | "postgres";

interface Handle {
  url: string;
  kind: DbKind;
  db: Db;
}

// Survives Next's module reloading in development.
const g = globalThis as unknown as { __mlopsDb?: Handle };

export function dbKindOf(url: string): DbKind {
  return isPostgresUrl(url) ? "postgres" : "sqlite";
}

export function sqlitePath(url: string): string {
  return resolve(url.replace(/^file:/, ""));
}

// The driver adapter each client connected with, for bulkTransaction(). Kept on the client under a
// global symbol, not in a module-level map: server.ts and Next load separate copies of this module
// but share the client through globalThis.
const ADAPTER = Symbol.for("mlops.db.adapter");
type WithAdapter = Db & { [ADAPTER]?: AdapterHolder };

export function createDb(url: string): Db {
  const holder: AdapterHolder = {};
  let client: Db;
  if (dbKindOf(url) === "postgres") {
    const adapter = capturingFactory(new PrismaPg({ connectionString: url, max: 10 }), holder);
    client = new PostgresClient({ adapter }) as unknown as Db;
  } else {
    const file = sqlitePath(url);
    mkdirSync(dirname(file), { recursive: true });
    // timeout = busy timeout: the web process and the workers share the file. mmap_size: pages are
    // read through a memory map (up to 1 GiB of the file; address space, not memory) instead of a
    // read() call each, which halves the CPU of reads that touch many pages (a compare view's
    // sampled histories); beyond 1 GiB, pages are read as before.
    const adapter = capturingFactory(new PrismaBetterSqlite3({ url: file, timeout: 15_000 }), holder, [`mmap_size = ${2 ** 30}`]);
    client = new SqliteClient({ adapter });
  }
  (client as WithAdapter)[ADAPTER] = holder;
  return client;
}

/**
 * Runs parameterized statements in one transaction on the client's own driver adapter, skipping
 * the query compiler: for bulk writes with large parameters (metric batches). Returns the
 * affected-row count of each statement. Placeholders: `?` on SQLite, `$1…` on PostgreSQL.
 */
export async function bulkTransaction(statements: { sql: string; args: unknown[] }[], client: Db = db()): Promise<number[]> {
  const holder = (client as WithAdapter)[ADAPTER];
  if (!holder) throw new Error("bulkTransaction needs a client made by createDb()");
  return runBulkTransaction(holder, () => client.$connect(), statements);
}

export function db(): Db {
  const url = config().DATABASE_URL;
  if (!g.__mlopsDb || g.__mlopsDb.url !== url) {
    g.__mlopsDb = { url, kind: dbKindOf(url), db: createDb(url) };
  }
  return g.__mlopsDb.db;
}

export function dbKind(): DbKind {
  return dbKindOf(config().DATABASE_URL);
}

export async function disconnectDb(): Promise<void> {
  const h = g.__mlopsDb;
  g.__mlopsDb = undefined;
  if (h) await h.db.$disconnect();
}

export function newId(): string {
  return randomUUID();
}

let idMs = -1;
let idPrefix = "";

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. For append-heavy
 * tables (the prediction log): new keys land at the end of the primary-key index instead of at a
 * random page, which halves SQLite's insert cost per row.
 */
export function timeOrderedId(now = Date.now()): string {
  // The time part changes once per millisecond: formatted once for every id of that millisecond.
  if (now !== idMs) {
    const t = now.toString(16).padStart(12, "0");
    idPrefix = `${t.slice(0, 8)}-${t.slice(8, 12)}-7`;
    idMs = now;
  }
  // randomUUID() is xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx: its characters from 15 on are the random
  // bits after the version digit, the dash and the variant nibble, in the places v7 wants them.
  return idPrefix + randomUUID().slice(15);
}

export function parseJson<T>(text: string | null | undefined, fallback: T): T {
  if (text == null || text === "") return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

// fileURLToPath, not URL.pathname: the latter keeps %20 etc., so a checkout path with a space would find no migrations.
const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

function migrationsDir(kind: DbKind): string {
  return join(projectRoot, "prisma", kind, "migrations");
}

export function expectedMigrations(kind: DbKind): string[] {
  const dir = migrationsDir(kind);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/** Applies the committed migrations that are not applied yet; returns their names. */
export async function migrate(url = config().DATABASE_URL): Promise<string[]> {
  const kind = dbKindOf(url);
  const migrations = loadMigrations(migrationsDir(kind), expectedMigrations(kind));
  if (kind === "postgres") return migratePostgres(url, migrations);
  const file = sqlitePath(url);
  mkdirSync(dirname(file), { recursive: true });
  return migrateSqlite(file, migrations);
}

/** Readiness: the database answers and every committed migration is applied. */
export async function migrationStatus(client: Db = db()): Promise<{ ok: boolean; pending: string[] }> {
  const expected = expectedMigrations(dbKind());
  const rows = await client.$queryRawUnsafe<{ migration_name: string }[]>(
    `SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
  );
  const applied = new Set(rows.map((r) => r.migration_name));
  const pending = expected.filter((m) => !applied.has(m));
  return { ok: pending.length === 0, pending };
}

function isRetryableTxError(err: unknown): boolean {
  const text = `${(err as { message?: string })?.message ?? ""} ${(err as { code?: string })?.code ?? ""}`;
  // SQLite: a deferred transaction that read before writing loses to another process's commit.
  // PostgreSQL: serialization failures and deadlocks (40001, 40P01).
  // The better-sqlite3 adapter reports every SQLITE_BUSY (also a read snapshot that lost its upgrade to
  // a write, which SQLite fails at once without waiting) as P1008 "Operation has timed out".
  if (dbKind() === "sqlite" && (err as { code?: string })?.code === "P1008") return true;
  return /SQLITE_BUSY|database is locked|40001|40P01|could not serialize|deadlock detected/i.test(text);
}

/** A transaction retried a few times on lock contention between processes. */
export async function transaction<T>(fn: (tx: Tx) => Promise<T>, attempts = 6): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await db().$transaction(fn, { timeout: 30_000, maxWait: 15_000 });
    } catch (err) {
      if (i >= attempts || !isRetryableTxError(err)) throw err;
      await new Promise((r) => setTimeout(r, 20 * 2 ** i + Math.random() * 50));
    }
  }
}

/** Migrates only when something is pending (cheap check first: spawning the migrator takes seconds). */
export async function ensureMigrated(): Promise<void> {
  try {
    if ((await migrationStatus()).ok) return;
  } catch {
    // No migrations table yet.
  }
  await migrate();
}
