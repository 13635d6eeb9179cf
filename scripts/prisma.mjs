#!/usr/bin/env node
// Prisma helper: one schema source (prisma/schema.base.prisma), two providers.
//   node scripts/prisma.mjs generate     write both schemas and generate both clients
//   node scripts/prisma.mjs migrations   regenerate each provider's initial migration from scratch
//                                        (use `diff NAME` for an additive migration on top)
//   node scripts/prisma.mjs diff NAME    add a migration per provider: from the schema as last committed (git HEAD,
//                                        which the committed migrations produce) to the working schema.
//                                        (--from-migrations needs a shadow database, which the adapter mode refuses.)
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync, readdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const providers = { sqlite: "sqlite", postgres: "postgresql" };
// The Prisma CLI tries to download an engine when DATABASE_URL is unset, even for offline commands.
const urls = { sqlite: "file:./data/prisma-cli.db", postgres: "postgresql://root@127.0.0.1:5432/postgres" };

function writeSchemas() {
  const base = readFileSync(join(root, "prisma/schema.base.prisma"), "utf8");
  for (const [dir, provider] of Object.entries(providers)) {
    const text = base.replaceAll('provider = "__PROVIDER__"', `provider = "${provider}"`).replaceAll("__PROVIDER__", dir);
    mkdirSync(join(root, "prisma", dir), { recursive: true });
    writeFileSync(
      join(root, "prisma", dir, "schema.prisma"),
      "// GENERATED from prisma/schema.base.prisma by scripts/prisma.mjs: edit the base.\n" + text,
    );
  }
}

function prisma(dir, args, opts = {}) {
  // The adapter opens the CLI's scratch SQLite file, whose folder must exist.
  mkdirSync(join(root, "data"), { recursive: true });
  return execFileSync(join(root, "node_modules/.bin/prisma"), args, {
    cwd: root,
    env: { ...process.env, DATABASE_URL: urls[dir], MLOPS_PRISMA_TARGET: dir, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
    stdio: opts.capture ? ["ignore", "pipe", "inherit"] : "inherit",
    encoding: "utf8",
  });
}

const cmd = process.argv[2] ?? "generate";
writeSchemas();
if (cmd === "generate") {
  for (const dir of Object.keys(providers)) prisma(dir, ["generate", "--schema", `prisma/${dir}/schema.prisma`]);
} else if (cmd === "migrations" || cmd === "diff") {
  const name = cmd === "migrations" ? "0001_init" : process.argv[3];
  if (!name) throw new Error("usage: node scripts/prisma.mjs diff NAME");
  for (const [dir, provider] of Object.entries(providers)) {
    const migDir = join(root, "prisma", dir, "migrations");
    const existing = existsSync(migDir) ? readdirSync(migDir).filter((d) => /^\d{4}_/.test(d)).sort() : [];
    // After the highest number, not the count: numbers may have gaps.
    const highest = existing.reduce((max, d) => Math.max(max, Number(d.slice(0, 4))), 0);
    const number = cmd === "migrations" ? "0001" : String(highest + 1).padStart(4, "0");
    let from = ["--from-empty"];
    if (cmd === "diff" && existing.length > 0) {
      const committed = join(tmpdir(), `mlops-${dir}-committed.prisma`);
      writeFileSync(committed, execFileSync("git", ["show", `HEAD:prisma/${dir}/schema.prisma`], { cwd: root, encoding: "utf8" }));
      from = ["--from-schema-datamodel", committed];
    }
    const sql = prisma(
      dir,
      ["migrate", "diff", ...from, "--to-schema-datamodel", `prisma/${dir}/schema.prisma`, "--script"],
      { capture: true },
    );
    const target = join(migDir, cmd === "migrations" ? name : `${number}_${name}`);
    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, "migration.sql"), sql);
    writeFileSync(join(migDir, "migration_lock.toml"), `provider = "${provider}"\n`);
    console.log(`wrote ${target}/migration.sql`);
  }
} else {
  throw new Error(`unknown command ${cmd}`);
}
