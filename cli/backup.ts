// `mlops backup` / `mlops restore`: one-file backups of the embedded SQLite installation.
import type { Command } from "commander";
import { config } from "@/lib/config";
import { disconnectDb, expectedMigrations } from "@/lib/db";
import { toErrorResponse } from "@/lib/errors";
import { backup, defaultBackupName, restore } from "@/lib/ops";

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

async function run(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    const { body, status } = toErrorResponse(err);
    console.error(`error: ${status === 500 && err instanceof Error ? err.message : body.error.message}`);
    process.exitCode = 1;
  } finally {
    await disconnectDb().catch(() => undefined);
  }
}

export function registerBackupCommands(program: Command): void {
  program
    .command("backup")
    .description("Write a consistent backup of the SQLite database and the artifact folder to one .tar.gz file (online: the server may keep running)")
    .option("--out <file>", "where to write it (default: ./mlops-backup-<date>-<time>.tar.gz)")
    .option("--json", "print JSON")
    .action((opts: { out?: string; json?: boolean }) =>
      run(async () => {
        const c = config();
        const r = await backup({ databaseUrl: c.DATABASE_URL, artifactStore: c.ARTIFACT_STORE }, opts.out ?? defaultBackupName());
        if (opts.json) console.log(JSON.stringify({ file: r.file, manifest: r.manifest }, null, 2));
        else {
          const a = r.manifest.artifacts;
          const arts = a.store === "file" ? `${a.files} artifact files (${mb(a.bytes)})` : "artifacts inside the database";
          console.log(`Backup written to ${r.file}: database ${mb(r.manifest.database.bytes)}, ${arts}.`);
        }
      }),
    );

  program
    .command("restore")
    .description("Restore a backup written by `mlops backup` (stop the server and workers first)")
    .argument("<file>", "the backup file (.tar.gz)")
    .option("--force", "replace the existing database and artifact folder")
    .option("--json", "print JSON")
    .action((file: string, opts: { force?: boolean; json?: boolean }) =>
      run(async () => {
        const c = config();
        const r = await restore({ databaseUrl: c.DATABASE_URL, artifactStore: c.ARTIFACT_STORE }, file, {
          force: opts.force,
          knownMigrations: expectedMigrations("sqlite"),
        });
        if (opts.json) console.log(JSON.stringify(r, null, 2));
        else {
          console.log(`Restored the backup of ${r.manifest.createdAt} into ${r.database}${r.artifactsFolder ? ` and ${r.artifactsFolder}` : ""}.`);
          console.log("Start the server: pending migrations, if any, are applied at start.");
        }
      }),
    );
}
