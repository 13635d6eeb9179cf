// `mlops drift`: compares a current CSV with a reference CSV (or a stored reference profile) and
// prints the report as a table, or as JSON with --json. All computation is lib/drift's.
import { writeFileSync, readFileSync } from "node:fs";
import { extname } from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import {
  buildReferenceProfile,
  compareColumns,
  compareToProfile,
  CurrentWindow,
  formatReportTable,
  parseProfile,
  readCsvColumns,
  readCsvInChunks,
  reportSummary,
  TEST_NAMES,
  type ColumnType,
  type DriftOptions,
  type DriftReport,
  type ReferenceProfile,
  type TestName,
} from "@/lib/drift";
import { invalid, toErrorResponse } from "@/lib/errors";

interface DriftFlags {
  reference: string;
  current: string;
  columns?: string[];
  test?: TestName;
  threshold?: number;
  driftShare?: number;
  minRows?: number;
  saveProfile?: string;
  failOnDrift?: boolean;
  json?: boolean;
}

/** Rows per chunk when a large current CSV is streamed against a profile. */
const CHUNK_ROWS = 500_000;

function finiteNumber(v: string): number {
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n)) throw new InvalidArgumentError("expected a number");
  return n;
}

function share(v: string): number {
  const n = finiteNumber(v);
  if (n < 0 || n > 1) throw new InvalidArgumentError("expected a number between 0 and 1");
  return n;
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a whole number of at least 1");
  return n;
}

function testName(v: string): TestName {
  if (!(TEST_NAMES as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${TEST_NAMES.join(", ")}`);
  return v as TestName;
}

function columnList(v: string): string[] {
  const names = v.split(",").map((s) => s.trim()).filter(Boolean);
  if (!names.length) throw new InvalidArgumentError("expected column names separated by commas");
  return names;
}

function loadProfile(path: string): ReferenceProfile {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw invalid(`Cannot read the profile '${path}': ${(err as Error).message}`);
  }
  return parseProfile(data);
}

/** Computes the report for the command's flags (exported for tests and other front ends). */
export function driftReportFromFiles(flags: DriftFlags): DriftReport {
  const options: DriftOptions = {
    columns: flags.columns,
    test: flags.test,
    threshold: flags.threshold,
    datasetDriftShare: flags.driftShare,
    minRows: flags.minRows,
  };
  if (extname(flags.reference).toLowerCase() === ".json") {
    if (flags.saveProfile) throw invalid("--save-profile builds a profile from a reference CSV; the reference given is already a profile");
    const profile = loadProfile(flags.reference);
    const types: Record<string, ColumnType> = {};
    for (const c of profile.columns) if (c.type !== "unknown") types[c.name] = c.type;
    // Against a profile the current file is streamed: memory stays bounded however long it is.
    const window = CurrentWindow.forProfile(profile);
    readCsvInChunks(flags.current, CHUNK_ROWS, (chunk) => window.add(chunk.columns), { types, columns: flags.columns });
    return compareToProfile(profile, window, options);
  }
  const ref = readCsvColumns(flags.reference, { columns: flags.columns });
  if (flags.saveProfile) writeFileSync(flags.saveProfile, JSON.stringify(buildReferenceProfile(ref.columns)));
  const types: Record<string, ColumnType> = {};
  for (const c of ref.columns) if (c.type) types[c.name] = c.type;
  const cur = readCsvColumns(flags.current, { types, columns: flags.columns });
  return compareColumns(ref.columns, cur.columns, options);
}

export function registerDriftCommand(program: Command): void {
  program
    .command("drift")
    .description("Compare a current CSV with a reference CSV or profile: per-column drift tests, PSI and the dataset verdict")
    .requiredOption("--reference <file>", "reference data: a CSV file, or a profile JSON saved with --save-profile")
    .requiredOption("--current <file>", "current data: a CSV file with the same columns")
    .option("--columns <a,b>", "compare only these columns", columnList)
    .option("--test <name>", `use this test for every column: ${TEST_NAMES.join("|")} (default: chosen per column)`, testName)
    .option("--threshold <x>", "drift threshold for every column (p-value below it, or distance at or above it)", finiteNumber)
    .option("--drift-share <x>", "dataset drift when at least this share of columns drifted (default 0.5)", share)
    .option("--min-rows <n>", "skip a column with fewer values on either side (default 30)", positiveInt)
    .option("--save-profile <file>", "also write the reference profile built from the reference CSV")
    .option("--fail-on-drift", "exit with code 2 when the dataset drifted")
    .option("--json", "print JSON")
    .action((flags: DriftFlags) => {
      try {
        const report = driftReportFromFiles(flags);
        console.log(flags.json ? JSON.stringify(reportSummary(report), null, 2) : formatReportTable(report));
        if (flags.failOnDrift && report.dataset_drift) process.exitCode = 2;
      } catch (err) {
        const { body, status } = toErrorResponse(err);
        console.error(`error: ${status === 500 && err instanceof Error ? err.message : body.error.message}`);
        if (body.error.details) console.error(JSON.stringify(body.error.details, null, 2));
        process.exitCode = 1;
      }
    });
}
