// `mlops backup` / `mlops restore` through the real CLI: backup → change data → restore → the data
// is back; bad files are refused and change nothing; PostgreSQL points to pg_dump.
import { spawn } from "node:child_process";
import { createReadStream, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createArtifactStore } from "@/lib/artifacts";
import { createDb, migrate, type Db } from "@/lib/db";
import { readTar, TarWriter } from "@/lib/ops/tar";
import { projectRoot } from "../support/processes";

const kind = process.env.TEST_DB === "postgres" ? "postgres" : "sqlite";
// Each test starts the CLI several times; on a busy machine one start can take many seconds.
const SLOW = 300_000;

function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ["bin/mlops.mjs", ...args], {
      cwd: projectRoot,
      env: { ...process.env, LOG_LEVEL: "silent", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.stderr.on("data", (d: Buffer) => (err += d.toString()));
    p.on("exit", (code) => resolve({ code, out, err }));
  });
}

const user = (email: string) => ({ id: email, email, name: email, role: "editor", passwordHash: "x" });

describe.runIf(kind === "sqlite")("backup and restore (SQLite)", () => {
  const dir = mkdtempSync(join(tmpdir(), "mlops-backup-"));
  const env = { DATABASE_URL: `file:${join(dir, "data", "mlops.db")}`, ARTIFACT_STORE: `file:${join(dir, "data", "artifacts")}` };
  const store = createArtifactStore(env.ARTIFACT_STORE, 10 * 1024 * 1024);
  const bundle = join(dir, "backup.tar.gz");
  const modelBytes = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 31) % 251));
  const deepPath = `runs/${"nested-folder/".repeat(8)}model/weights.bin`;
  let client: Db;

  beforeAll(async () => {
    await migrate(env.DATABASE_URL);
    client = createDb(env.DATABASE_URL);
    await client.user.create({ data: user("kept@example.com") });
    await store.put("runs/r1/model/manifest.json", '{"family":"linear"}');
    await store.put(deepPath, modelBytes);
  });

  afterAll(async () => {
    await client?.$disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  const emails = async () => (await client.user.findMany({ orderBy: { email: "asc" } })).map((u) => u.email);

  it("backs up online while the database is being written to", async () => {
    let writing = true;
    let n = 0;
    const writer = (async () => {
      while (writing) {
        await client.user.create({ data: user(`during-${n++}@example.com`) });
        // The SQLite driver is synchronous: let the event loop see the CLI's exit.
        await new Promise((r) => setImmediate(r));
      }
    })();
    const r = await cli(["backup", "--out", bundle, "--json"], env);
    writing = false;
    await writer;
    expect(r.code, r.err).toBe(0);
    const { manifest } = JSON.parse(r.out) as { manifest: { database: { migrations: string[] }; artifacts: { store: string; files: number } } };
    expect(manifest.artifacts).toMatchObject({ store: "file", files: 2 });
    expect(manifest.database.migrations.length).toBeGreaterThan(0);
    expect(existsSync(bundle)).toBe(true);
    // An existing file is never overwritten.
    const again = await cli(["backup", "--out", bundle], env);
    expect(again.code).toBe(1);
    expect(again.err).toContain("already exists");
  }, SLOW);

  it("restores the data after it changed, and only with --force", async () => {
    await client.user.create({ data: user("added-later@example.com") });
    await client.user.delete({ where: { email: "kept@example.com" } });
    await store.delete("runs/r1/model/manifest.json");
    await store.put("runs/r2/model/manifest.json", '{"family":"mlp"}');

    const refused = await cli(["restore", bundle], env);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("--force");
    expect(await emails()).toContain("added-later@example.com");
    expect(await store.stat("runs/r2/model/manifest.json")).not.toBeNull();

    await client.$disconnect();
    const r = await cli(["restore", bundle, "--force"], env);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("Restored the backup");
    client = createDb(env.DATABASE_URL);
    const restored = await emails();
    expect(restored).toContain("kept@example.com");
    expect(restored).not.toContain("added-later@example.com");
    expect((await store.get("runs/r1/model/manifest.json")).toString()).toBe('{"family":"linear"}');
    expect(Buffer.compare(await store.get(deepPath), modelBytes)).toBe(0);
    expect(await store.stat("runs/r2/model/manifest.json")).toBeNull();
  }, SLOW);

  it("refuses files that are not intact backups and changes nothing", async () => {
    const before = await emails();
    const notGzip = join(dir, "not-a-backup.tar.gz");
    writeFileSync(notGzip, "hello, this is not a backup");
    const r1 = await cli(["restore", notGzip, "--force"], env);
    expect(r1.code).toBe(1);
    expect(r1.err).toContain("not a gzip-compressed mlops backup");

    const truncated = join(dir, "truncated.tar.gz");
    const full = readFileSync(bundle);
    writeFileSync(truncated, full.subarray(0, Math.floor(full.length / 2)));
    const r2 = await cli(["restore", truncated, "--force"], env);
    expect(r2.code).toBe(1);
    expect(r2.err).toMatch(/truncated|not a gzip/);

    // A well-formed archive whose artifact path climbs out of the folder.
    const evil = join(dir, "evil.tar.gz");
    let manifestText = "";
    for await (const e of readTar(createReadStream(bundle).pipe(createGunzip()))) {
      for await (const c of e.body) manifestText += c.toString();
      break;
    }
    const manifest = JSON.parse(manifestText) as Record<string, unknown>;
    const gz = createGzip();
    const done = pipeline(gz, createWriteStream(evil));
    const tar = new TarWriter(gz);
    const m = Buffer.from(JSON.stringify(manifest));
    await tar.add("manifest.json", m.length, m);
    await tar.add("artifacts/../../escaped.txt", 3, Buffer.from("bad"));
    await tar.finish();
    gz.end();
    await done;
    const r3 = await cli(["restore", evil, "--force"], env);
    expect(r3.code).toBe(1);
    expect(r3.err).toContain("not a safe artifact path");
    expect(existsSync(join(dir, "escaped.txt"))).toBe(false);

    const r4 = await cli(["restore", join(dir, "missing.tar.gz")], env);
    expect(r4.code).toBe(1);
    expect(r4.err).toContain("no backup file");

    expect(await emails()).toEqual(before);
  }, SLOW);

  it("keeps artifacts inside the database with ARTIFACT_STORE=db:, and will not mix the two stores", async () => {
    const dbEnv = { ...env, ARTIFACT_STORE: "db:" };
    const out = join(dir, "db-store.tar.gz");
    const r = await cli(["backup", "--out", out, "--json"], dbEnv);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).manifest.artifacts).toMatchObject({ store: "db", files: 0 });
    const mixed = await cli(["restore", out, "--force"], env);
    expect(mixed.code).toBe(1);
    expect(mixed.err).toContain("ARTIFACT_STORE=db:");
  }, SLOW);
});

describe.runIf(kind === "postgres")("backup and restore (PostgreSQL)", () => {
  it("refuses and points to pg_dump", async () => {
    const env = { DATABASE_URL: process.env.DATABASE_URL! };
    const b = await cli(["backup"], env);
    expect(b.code).toBe(1);
    expect(b.err).toContain("pg_dump");
    const r = await cli(["restore", "whatever.tar.gz"], env);
    expect(r.code).toBe(1);
    expect(r.err).toContain("pg_restore");
  }, SLOW);
});
