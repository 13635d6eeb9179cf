// Backup and restore of the embedded (SQLite) installation as one .tar.gz bundle:
//   manifest.json        format, version, database checksum, migrations, artifact counts
//   database/mlops.db    a consistent copy made with SQLite's online backup API
//   artifacts/...        the artifact folder, when ARTIFACT_STORE is file:<folder>
// With ARTIFACT_STORE=db: the artifacts are rows of the database and travel inside it.
// PostgreSQL installations use pg_dump / pg_restore instead.
import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream, existsSync } from "node:fs";
import { lstat, mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join, resolve, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import Database from "better-sqlite3";
import { invalid, conflict } from "../errors";
import { readTar, TarWriter } from "./tar";

export const BACKUP_FORMAT = "mlops-backup";
export const BACKUP_VERSION = 1;
const DB_ENTRY = "database/mlops.db";
const ARTIFACTS_PREFIX = "artifacts/";
// Temporary files of the file artifact store (written, then renamed into place).
const PARTIAL = /^\..*\.partial$/;

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  version: number;
  createdAt: string;
  database: { kind: "sqlite"; entry: string; bytes: number; sha256: string; migrations: string[] };
  artifacts: { store: "file" | "db"; files: number; bytes: number };
}

export interface Installation {
  databaseUrl: string;
  artifactStore: string;
}

export interface BackupResult {
  file: string;
  manifest: BackupManifest;
}

export interface RestoreResult {
  database: string;
  artifactsFolder: string | null;
  manifest: BackupManifest;
}

function sqliteFile(databaseUrl: string): string {
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw invalid(
      "backup and restore cover the embedded SQLite database; for PostgreSQL use its own tools, e.g. " +
        "`pg_dump --format=custom --file mlops.dump \"$DATABASE_URL\"` and `pg_restore --clean --dbname \"$DATABASE_URL\" mlops.dump` " +
        "(with ARTIFACT_STORE=db: the artifacts are inside the database)",
    );
  }
  return resolve(databaseUrl.replace(/^file:/, ""));
}

function artifactsFolder(store: string): string | null {
  if (store.startsWith("file:")) return resolve(store.slice("file:".length).replace(/^\/\/(?=\/)/, ""));
  return null;
}

async function walk(root: string, rel = ""): Promise<{ rel: string; size: number }[]> {
  const out: { rel: string; size: number }[] = [];
  let entries;
  try {
    entries = await readdir(join(root, rel), { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return out;
    throw err;
  }
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await walk(root, path)));
    else if (e.isFile() && !PARTIAL.test(e.name)) out.push({ rel: path, size: (await stat(join(root, path))).size });
  }
  return out;
}

async function sha256File(file: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest("hex");
}

function appliedMigrations(conn: Database.Database): string[] {
  const table = conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'").get();
  if (!table) return [];
  return (
    conn
      .prepare("SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name")
      .all() as { name: string }[]
  ).map((r) => r.name);
}

export function defaultBackupName(now = new Date()): string {
  return `mlops-backup-${now.toISOString().replace(/[-:]/g, "").replace(/\..*$/, "").replace("T", "-")}.tar.gz`;
}

/** Writes a backup bundle to `out` (refuses to replace an existing file). */
export async function backup(inst: Installation, out: string): Promise<BackupResult> {
  const dbFile = sqliteFile(inst.databaseUrl);
  if (!existsSync(dbFile)) throw invalid(`no database at ${dbFile}: nothing to back up (check DATABASE_URL)`);
  const target = resolve(out);
  if (existsSync(target)) throw conflict(`${target} already exists; choose another --out`);
  const work = join(dirname(target), `.${basename(target)}.${randomUUID().slice(0, 8)}.tmp`);
  await mkdir(work, { recursive: true });
  try {
    // 1. The database: SQLite's online backup, consistent even while the server and workers write.
    const copy = join(work, "mlops.db");
    const src = new Database(dbFile, { readonly: true, fileMustExist: true, timeout: 15_000 });
    try {
      // All pages in one step, inside one read transaction: a copy made in small steps restarts
      // whenever another process writes, and never finishes under a steady write load.
      await src.backup(copy, { progress: () => 2 ** 30 });
    } finally {
      src.close();
    }
    const check = new Database(copy, { readonly: true });
    let migrations: string[];
    try {
      migrations = appliedMigrations(check);
    } finally {
      check.close();
    }
    // 2. Artifacts after the database: rows reference artifacts written before them, so the copy
    //    of the folder holds every artifact the database copy knows (and perhaps a few newer ones).
    const folder = artifactsFolder(inst.artifactStore);
    const files = folder ? await walk(folder) : [];
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      version: BACKUP_VERSION,
      createdAt: new Date().toISOString(),
      database: { kind: "sqlite", entry: DB_ENTRY, bytes: (await stat(copy)).size, sha256: await sha256File(copy), migrations },
      artifacts: { store: folder ? "file" : "db", files: files.length, bytes: files.reduce((n, f) => n + f.size, 0) },
    };
    const partial = join(work, "bundle.tar.gz");
    const gzip = createGzip();
    const written = pipeline(gzip, createWriteStream(partial, { flags: "wx" }));
    try {
      const tar = new TarWriter(gzip);
      const json = Buffer.from(JSON.stringify(manifest, null, 2) + "\n");
      await tar.add("manifest.json", json.length, json);
      await tar.add(DB_ENTRY, manifest.database.bytes, createReadStream(copy));
      for (const f of files) await tar.add(ARTIFACTS_PREFIX + f.rel, f.size, createReadStream(join(folder!, f.rel)));
      await tar.finish();
      gzip.end();
      await written;
    } catch (err) {
      gzip.destroy();
      await written.catch(() => undefined);
      throw err;
    }
    await rename(partial, target);
    return { file: target, manifest };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function parseManifest(text: string): BackupManifest {
  let m: BackupManifest;
  try {
    m = JSON.parse(text) as BackupManifest;
  } catch {
    throw invalid("not an mlops backup: manifest.json is not JSON");
  }
  if (m?.format !== BACKUP_FORMAT) throw invalid("not an mlops backup: manifest.json has no mlops-backup format");
  if (m.version !== BACKUP_VERSION) throw invalid(`backup format version ${m.version} is not supported (expected ${BACKUP_VERSION})`);
  if (m.database?.kind !== "sqlite" || m.database.entry !== DB_ENTRY || !/^[0-9a-f]{64}$/.test(m.database.sha256 ?? "")) {
    throw invalid("not an mlops backup: manifest.json describes no SQLite database");
  }
  if (m.artifacts?.store !== "file" && m.artifacts?.store !== "db") throw invalid("not an mlops backup: unknown artifact store in manifest.json");
  return m;
}

/** An artifact entry name as a relative path; refuses anything that could leave the folder. */
function artifactPath(name: string): string {
  const rel = name.slice(ARTIFACTS_PREFIX.length);
  const parts = rel.split("/");
  if (!rel || rel.includes("\\") || rel.includes("\0") || parts.some((p) => p === "" || p === "." || p === "..")) {
    throw invalid(`backup entry '${name}' is not a safe artifact path`);
  }
  return parts.join(sep);
}

async function notEmpty(path: string): Promise<boolean> {
  try {
    const s = await lstat(path);
    if (s.isDirectory()) return (await readdir(path)).length > 0;
    return s.size > 0;
  } catch {
    return false;
  }
}

/**
 * Restores a bundle over the configured installation. Validates everything (checksums, SQLite
 * integrity, migrations known to this version) in a staging folder before touching anything;
 * refuses to replace existing data unless `force`. Stop the server and the workers first.
 */
export async function restore(inst: Installation, file: string, opts: { force?: boolean; knownMigrations: string[] }): Promise<RestoreResult> {
  const dbFile = sqliteFile(inst.databaseUrl);
  const source = resolve(file);
  if (!existsSync(source)) throw invalid(`no backup file at ${source}`);
  const folder = artifactsFolder(inst.artifactStore);
  const stagingDb = join(dirname(dbFile), `.mlops-restore-${randomUUID().slice(0, 8)}`);
  const stagingArtifacts = folder ? join(dirname(folder), `.mlops-restore-${randomUUID().slice(0, 8)}-artifacts`) : null;
  await mkdir(stagingDb, { recursive: true });
  try {
    let manifest: BackupManifest | null = null;
    let dbSeen = false;
    let artifactFiles = 0;
    const gunzip = createReadStream(source).pipe(createGunzip());
    try {
      for await (const entry of readTar(gunzip)) {
        if (!manifest) {
          if (entry.name !== "manifest.json" || entry.size > 1 << 20) throw invalid("not an mlops backup: it does not start with manifest.json");
          const chunks: Buffer[] = [];
          for await (const c of entry.body) chunks.push(c);
          manifest = parseManifest(Buffer.concat(chunks).toString("utf8"));
          if (manifest.artifacts.store === "file" && !stagingArtifacts) {
            throw invalid("the backup holds an artifact folder but ARTIFACT_STORE is db:; set ARTIFACT_STORE=file:<folder> to restore it");
          }
          if (manifest.artifacts.store === "db" && stagingArtifacts) {
            throw invalid("the backup keeps its artifacts in the database (ARTIFACT_STORE=db:); set ARTIFACT_STORE=db: to restore it");
          }
          continue;
        }
        if (entry.name === DB_ENTRY && !dbSeen) {
          dbSeen = true;
          const h = createHash("sha256");
          const target = join(stagingDb, "mlops.db");
          await pipeline(
            (async function* () {
              for await (const c of entry.body) {
                h.update(c);
                yield c;
              }
            })(),
            createWriteStream(target, { flags: "wx" }),
          );
          if (h.digest("hex") !== manifest.database.sha256) throw invalid("the backup's database does not match its checksum (damaged file)");
        } else if (entry.name.startsWith(ARTIFACTS_PREFIX) && stagingArtifacts) {
          const target = join(stagingArtifacts, artifactPath(entry.name));
          await mkdir(dirname(target), { recursive: true });
          await pipeline(entry.body, createWriteStream(target, { flags: "wx" }));
          artifactFiles++;
        } else {
          throw invalid(`unexpected entry '${entry.name}' in the backup`);
        }
      }
    } catch (err) {
      if ((err as { code?: string }).code === "Z_DATA_ERROR" || /incorrect header check|unexpected end of file/.test((err as Error).message)) {
        throw invalid(`${source} is not a gzip-compressed mlops backup (or it is truncated)`);
      }
      if (err instanceof Error && /tar archive|truncated/.test(err.message)) throw invalid(`${source}: ${err.message}`);
      throw err;
    }
    if (!manifest) throw invalid("not an mlops backup: empty archive");
    if (!dbSeen) throw invalid("the backup has no database file");
    if (artifactFiles !== manifest.artifacts.files) {
      throw invalid(`the backup lists ${manifest.artifacts.files} artifact files but holds ${artifactFiles} (damaged file)`);
    }

    // The database itself: intact, and from this version or an older one (start applies the rest).
    const restored = join(stagingDb, "mlops.db");
    const conn = new Database(restored, { readonly: true, fileMustExist: true });
    try {
      const ok = (conn.pragma("integrity_check") as { integrity_check: string }[])[0]?.integrity_check;
      if (ok !== "ok") throw invalid(`the backup's database fails SQLite's integrity check: ${ok}`);
      const unknown = appliedMigrations(conn).filter((m) => !opts.knownMigrations.includes(m));
      if (unknown.length) throw invalid(`the backup comes from a newer version (migrations unknown here: ${unknown.join(", ")}); upgrade first`);
    } finally {
      conn.close();
    }

    const existing: string[] = [];
    if (await notEmpty(dbFile)) existing.push(`database ${dbFile}`);
    if (folder && (await notEmpty(folder))) existing.push(`artifacts ${folder}`);
    if (existing.length && !opts.force) {
      throw conflict(`restore would replace the ${existing.join(" and the ")}; stop the server and workers, then pass --force`);
    }

    // Swap in: renames on the same file system, the database last-written files removed first.
    for (const suffix of ["-wal", "-shm", "-journal"]) await rm(dbFile + suffix, { force: true });
    await mkdir(dirname(dbFile), { recursive: true });
    await rename(restored, dbFile);
    if (folder && stagingArtifacts) {
      const old = `${folder}.replaced-${randomUUID().slice(0, 8)}`;
      const had = existsSync(folder);
      if (had) await rename(folder, old);
      if (existsSync(stagingArtifacts)) await rename(stagingArtifacts, folder);
      else await mkdir(folder, { recursive: true });
      if (had) await rm(old, { recursive: true, force: true });
    }
    return { database: dbFile, artifactsFolder: folder, manifest };
  } finally {
    await rm(stagingDb, { recursive: true, force: true });
    if (stagingArtifacts) await rm(stagingArtifacts, { recursive: true, force: true });
  }
}
