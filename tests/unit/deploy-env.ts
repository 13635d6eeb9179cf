// Shared by the deployment tests: which environment variables the platform reads.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { configSchema } from "@/lib/config";

export const root = fileURLToPath(new URL("../..", import.meta.url));

// Read by Node.js or Next.js themselves, not by the platform's code.
export const RUNTIME_VARIABLES = ["NODE_ENV", "NEXT_TELEMETRY_DISABLED"];

// Without these a multi-replica deployment misbehaves: each would use a local SQLite file,
// a generated session key (fine only while the database is shared) and a guessed public URL.
export const REQUIRED_IN_PRODUCTION = ["DATABASE_URL", "NEXTAUTH_SECRET", "NEXTAUTH_URL", "ARTIFACT_STORE"];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (name === "generated" || name === "node_modules") return [];
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return /\.(ts|tsx|mjs)$/.test(name) ? [p] : [];
  });
}

/** Variables read outside lib/config (process.env.X in the code that runs in the image). */
export function directlyRead(): string[] {
  const files = [...["lib", "workers", "cli", "app"].flatMap((d) => sourceFiles(join(root, d))), join(root, "server.ts")];
  const names = new Set<string>();
  for (const f of files) {
    for (const m of readFileSync(f, "utf8").matchAll(/process\.env\.([A-Z][A-Z0-9_]*)|process\.env\[["']([A-Z][A-Z0-9_]*)["']\]/g)) {
      names.add((m[1] ?? m[2])!);
    }
  }
  return [...names].sort();
}

export const CONFIG_VARIABLES = Object.keys(configSchema.shape);

export function readVariables(): Set<string> {
  return new Set([...CONFIG_VARIABLES, ...directlyRead(), ...RUNTIME_VARIABLES]);
}
