// Test-only helpers that build lib/ml Tables: a tiny CSV loader and a literal builder.
// The real CSV ingestion is lib/datasets; lib/ml tests must not depend on it.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Column, Table } from "@/lib/ml";

// The repository sits beside shared/ (locally and in CI).
export const SHARED_DATASETS = fileURLToPath(new URL("../../../shared/datasets", import.meta.url));

/** Comma-separated, first line is the header, optional double quotes; a column is numeric when every non-empty cell parses. */
export function loadCsvTable(file: string, types: Record<string, Column["type"]> = {}): Table {
  const lines = readFileSync(file, "utf8").replace(/^\uFEFF/, "").split(/\r?\n/).filter((l) => l.length > 0);
  const [header, ...body] = lines.map(splitLine);
  if (!header) throw new Error(`${file} is empty`);
  const cells = header.map((_, c) => body.map((r) => r[c] ?? ""));
  const columns = header.map((name, c): Column => {
    const raw = cells[c]!;
    const type = types[name] ?? (raw.every((v) => v === "" || Number.isFinite(Number(v))) ? "numeric" : "categorical");
    if (type === "categorical" || type === "text") return { name, type, values: raw.map((v) => (v === "" ? null : v)) };
    return { name, type, values: Float64Array.from(raw, (v) => (v === "" ? NaN : Number(v))) };
  });
  return { rowCount: body.length, columns };
}

export function loadSharedDataset(name: "iris" | "wine" | "diabetes"): Table {
  return loadCsvTable(path.join(SHARED_DATASETS, `${name}.csv`));
}

/** One CSV record split into fields (RFC 4180 quotes; no embedded newlines). */
export function splitLine(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      out.push(cur);
      cur = "";
    }
    else cur += ch;
  }
  out.push(cur);
  return out;
}

type Literal = readonly (number | null)[] | readonly (string | null)[];

/** Builds a table from literal columns: number arrays become numeric (null = NaN), string arrays categorical. */
export function tableOf(columns: Record<string, Literal>, types: Record<string, Column["type"]> = {}): Table {
  const entries = Object.entries(columns);
  const rowCount = entries[0]?.[1].length ?? 0;
  return {
    rowCount,
    columns: entries.map(([name, literal]): Column => {
      const values = literal as readonly (number | string | null)[];
      const isString = values.some((v) => typeof v === "string");
      const type = types[name] ?? (isString ? "categorical" : "numeric");
      if (type === "categorical" || type === "text") return { name, type, values: values.map((v) => (v === null ? null : String(v))) };
      return { name, type, values: Float64Array.from(values, (v) => (v === null ? NaN : Number(v))) };
    }),
  };
}
