// "Nothing changed": the row count of every table and the list of files in the artifact folder,
// taken before and after a batch of refused requests.
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { db, dbKind } from "@/lib/db";

export async function tableNames(): Promise<string[]> {
  const rows =
    dbKind() === "postgres"
      ? await db().$queryRawUnsafe<{ name: string }[]>(
          "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
        )
      : await db().$queryRawUnsafe<{ name: string }[]>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
  return rows.map((r) => r.name).filter((n) => !n.startsWith("_prisma")).sort();
}

/** Row counts of every table, in one round trip. */
export async function rowCounts(): Promise<Record<string, number>> {
  const tables = await tableNames();
  const sql = `SELECT ${tables.map((t, i) => `(SELECT COUNT(*) FROM "${t}") AS c${i}`).join(", ")}`;
  const [row] = await db().$queryRawUnsafe<Record<string, bigint | number>[]>(sql);
  return Object.fromEntries(tables.map((t, i) => [t, Number(row![`c${i}`])]));
}

function files(dir: string, root = dir, out: string[] = []): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) files(p, root, out);
    else out.push(relative(root, p));
  }
  return out.sort();
}

export interface Snapshot {
  rows: Record<string, number>;
  files: string[];
}

/** Row counts of every table, and every file under `folder` (the artifact store and its parent). */
export async function snapshot(folder: string): Promise<Snapshot> {
  return { rows: await rowCounts(), files: files(folder) };
}
