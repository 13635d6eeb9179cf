// `mlops runs list|show` and `mlops models list|show|promote`. Human-readable by default, JSON with --json.
import { Command, InvalidArgumentError } from "commander";
import { z } from "zod";
import { disconnectDb, ensureMigrated } from "@/lib/db";
import { toErrorResponse } from "@/lib/errors";
import { aliasSchema, getModelVersionLineage, getRegisteredModel, listModelVersions, listRegisteredModels, promote, versionSchema } from "@/lib/registry";
import { getExperimentByName, getRun, searchRuns, type Run } from "@/lib/tracking";

/** Runs a data command, prints a clear message on failure, exits non-zero. */
async function run(fn: () => Promise<void>): Promise<void> {
  try {
    await ensureMigrated();
    await fn();
    await disconnectDb();
  } catch (err) {
    const { body, status } = toErrorResponse(err);
    const message = status === 500 && err instanceof Error ? err.message : body.error.message;
    console.error(`error: ${message}`);
    await disconnectDb().catch(() => undefined);
    process.exitCode = 1;
  }
}

/** A commander argument parser from a Zod schema. */
function zodArg<S extends z.ZodType>(schema: S) {
  return (value: string): z.infer<S> => {
    const r = schema.safeParse(value);
    if (!r.success) throw new InvalidArgumentError(r.error.issues.map((i) => i.message).join("; "));
    return r.data;
  };
}

function printJson(data: unknown): void {
  console.log(JSON.stringify(data, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v), 2));
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n");
}

const time = (ms: number | null) => (ms === null ? "-" : new Date(ms).toISOString().replace("T", " ").slice(0, 19));
const num = (v: number) => (Number.isFinite(v) ? String(Number(v.toPrecision(6))) : String(v));

function runLines(r: Run): string {
  const kv = (o: Record<string, string>) => Object.entries(o).map(([k, v]) => `  ${k} = ${v}`).join("\n") || "  (none)";
  return [
    `Run ${r.id} (${r.name})`,
    `  experiment ${r.experimentId}, status ${r.status}, ${r.lifecycleStage}`,
    `  started ${time(r.startTime)}, ended ${time(r.endTime)}`,
    r.parentRunId ? `  parent ${r.parentRunId}` : null,
    r.datasetVersionId ? `  dataset version ${r.datasetVersionId}` : null,
    r.codeVersion ? `  code version ${r.codeVersion}` : null,
    `  artifacts ${r.artifactUri}`,
    "Params:",
    kv(r.params),
    "Metrics (latest):",
    Object.entries(r.metrics).map(([k, m]) => `  ${k} = ${num(m.value)} (step ${m.step})`).join("\n") || "  (none)",
    "Tags:",
    kv(r.tags),
  ]
    .filter((l) => l !== null)
    .join("\n");
}

export function registerTrackingCommands(program: Command): void {
  const runs = program.command("runs").description("Experiment runs");
  runs
    .command("list")
    .description("List runs, newest first, optionally filtered: --filter \"metrics.accuracy > 0.9 and params.lr = '0.01'\"")
    .option("--experiment <name>", "only runs of this experiment")
    .option("--filter <filter>", "filter in the search language (see docs/tracking.md)", zodArg(z.string().max(10_000)))
    .option("--order-by <item>", "e.g. 'metrics.accuracy DESC' (repeatable)", (v: string, prev: string[] = []) => [...prev, v])
    .option("--max <n>", "at most this many runs", zodArg(z.coerce.number().int().min(1).max(50_000)), 50)
    .option("--json", "print JSON")
    .action((opts: { experiment?: string; filter?: string; orderBy?: string[]; max: number; json?: boolean }) =>
      run(async () => {
        const experimentIds = opts.experiment ? [(await getExperimentByName(opts.experiment)).id] : [];
        const page = await searchRuns({ experimentIds, filter: opts.filter ?? "", orderBy: opts.orderBy ?? [], maxResults: opts.max });
        if (opts.json) return printJson({ runs: page.items, nextPageToken: page.nextPageToken });
        if (!page.items.length) return console.log("No runs.");
        const metricKeys = [...new Set(page.items.flatMap((r) => Object.keys(r.metrics)))].sort().slice(0, 4);
        console.log(
          table([
            ["RUN ID", "NAME", "EXP", "STATUS", "STARTED", ...metricKeys],
            ...page.items.map((r) => [r.id, r.name, r.experimentId, r.status, time(r.startTime), ...metricKeys.map((k) => (r.metrics[k] ? num(r.metrics[k].value) : "-"))]),
          ]),
        );
        if (page.nextPageToken) console.log(`(more runs: raise --max)`);
      }),
    );
  runs
    .command("show")
    .description("Show a run: params, latest metrics, tags, lineage")
    .argument("<run-id>", "32-character run id")
    .option("--json", "print JSON")
    .action((runId: string, opts: { json?: boolean }) =>
      run(async () => {
        const r = await getRun(runId);
        if (opts.json) printJson(r);
        else console.log(runLines(r));
      }),
    );

  const models = program.command("models").description("Registered models");
  models
    .command("list")
    .description("List registered models with their aliases")
    .option("--filter <filter>", "e.g. \"name LIKE 'churn%'\"", zodArg(z.string().max(10_000)))
    .option("--json", "print JSON")
    .action((opts: { filter?: string; json?: boolean }) =>
      run(async () => {
        const page = await listRegisteredModels({ filter: opts.filter ?? "", maxResults: 1000 });
        if (opts.json) return printJson({ models: page.items });
        if (!page.items.length) return console.log("No registered models.");
        console.log(
          table([
            ["NAME", "LATEST", "ALIASES", "UPDATED"],
            ...page.items.map((m) => [
              m.name,
              String(Math.max(0, ...m.latestVersions.map((v) => v.version)) || "-"),
              Object.entries(m.aliases).map(([a, v]) => `${a}=v${v}`).join(", ") || "-",
              time(m.updatedAt),
            ]),
          ]),
        );
      }),
    );
  models
    .command("show")
    .description("Show a model: versions, aliases, stages and lineage")
    .argument("<name>", "registered model name")
    .option("--json", "print JSON")
    .action((name: string, opts: { json?: boolean }) =>
      run(async () => {
        const model = await getRegisteredModel(name);
        const versions = await listModelVersions(name);
        const lineage = await Promise.all(versions.map((v) => getModelVersionLineage(name, v.version)));
        if (opts.json) return printJson({ ...model, versions, lineage });
        console.log(`Model ${model.name}${model.description ? ` — ${model.description}` : ""}`);
        console.log(`Aliases: ${Object.entries(model.aliases).map(([a, v]) => `${a} → v${v}`).join(", ") || "(none)"}`);
        if (!versions.length) return console.log("No versions.");
        console.log(
          table([
            ["VERSION", "STAGE", "ALIASES", "RUN", "DATASET", "CODE", "CREATED"],
            ...versions.map((v, i) => [
              String(v.version),
              v.stage,
              v.aliases.join(",") || "-",
              v.runId ?? "-",
              lineage[i]?.datasetVersion ? `${lineage[i]!.datasetVersion!.datasetName} v${lineage[i]!.datasetVersion!.version}` : "-",
              lineage[i]?.codeVersion?.slice(0, 12) ?? "-",
              time(v.createdAt),
            ]),
          ]),
        );
      }),
    );
  models
    .command("promote")
    .description("Point an alias (default champion) at a version, with an audit entry; promote the previous version to roll back")
    .argument("<name>", "registered model name")
    .argument("<version>", "version number", zodArg(versionSchema))
    .option("--alias <alias>", "alias to move", zodArg(aliasSchema), "champion")
    .option("--reason <text>", "why (kept in the audit log)", zodArg(z.string().trim().min(1).max(2000)))
    .option("--json", "print JSON")
    .action((name: string, version: number, opts: { alias: string; reason?: string; json?: boolean }) =>
      run(async () => {
        const p = await promote(null, name, version, { alias: opts.alias, reason: opts.reason, actorLabel: "cli" });
        if (opts.json) return printJson(p);
        if (!p.changed) console.log(`${p.model}: '${p.alias}' already points at version ${p.toVersion}; nothing changed.`);
        else console.log(`${p.model}: '${p.alias}' moved from ${p.fromVersion === null ? "(none)" : `version ${p.fromVersion}`} to version ${p.toVersion}.`);
      }),
    );
}
