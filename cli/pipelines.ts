// `mlops pipelines list|run`: pipelines against the configured database; a worker executes the runs.
import type { Command } from "commander";
import { disconnectDb, ensureMigrated } from "@/lib/db";
import { toErrorResponse } from "@/lib/errors";
import { getJob } from "@/lib/jobs";
import { listPipelines, runPipelineNow } from "@/lib/pipelines";

async function run(fn: () => Promise<void>): Promise<void> {
  try {
    await ensureMigrated();
    await fn();
  } catch (err) {
    const { body, status } = toErrorResponse(err);
    console.error(`error: ${status === 500 && err instanceof Error ? err.message : body.error.message}`);
    process.exitCode = 1;
  } finally {
    await disconnectDb().catch(() => undefined);
  }
}

export function registerPipelinesCommands(program: Command): void {
  const pipelines = program.command("pipelines").description("Saved training pipelines (see docs/pipelines.md)");
  pipelines
    .command("list")
    .description("List pipelines with their schedule and last run")
    .option("--json", "print the list as JSON")
    .action((opts: { json?: boolean }) =>
      run(async () => {
        const { pipelines: list } = await listPipelines({ limit: 500 });
        if (opts.json) {
          console.log(JSON.stringify(list, null, 2));
          return;
        }
        if (list.length === 0) console.log("No pipelines.");
        for (const p of list) {
          const triggers = [p.schedule ? `cron '${p.schedule}'` : null, p.triggers.onNewDatasetVersion ? "new dataset version" : null].filter(Boolean).join(", ") || "manual";
          const last = p.lastRun ? `${p.lastRun.state} ${p.lastRun.createdAt}` : "never run";
          console.log(`${p.name}${p.enabled ? "" : " (disabled)"}  ${p.definition.dataset.name} → ${p.definition.target} [${p.definition.family}]  ${triggers}  last: ${last}`);
        }
      }),
    );
  pipelines
    .command("run <name>")
    .description("Queue a run now (a worker executes it)")
    .option("--reason <text>", "why it runs, kept in the run history")
    .option("--wait", "wait until the run's job ends and print its result")
    .option("--json", "print JSON")
    .action((name: string, opts: { reason?: string; wait?: boolean; json?: boolean }) =>
      run(async () => {
        const { pipelineRun, job } = await runPipelineNow(name, { reason: opts.reason ?? "mlops pipelines run", trigger: "manual" });
        if (!opts.wait) {
          if (opts.json) console.log(JSON.stringify({ pipeline_run_id: pipelineRun.id, job_id: job.id }));
          else console.log(`Queued run ${pipelineRun.id} of '${name}' as job ${job.id}.`);
          return;
        }
        if (!opts.json) console.error(`Queued job ${job.id}; waiting for a worker…`);
        for (;;) {
          const j = await getJob(job.id);
          if (j.state === "succeeded" || j.state === "dead" || j.state === "cancelled") {
            if (opts.json) console.log(JSON.stringify({ state: j.state, result: j.result, error: j.error }));
            else console.log(j.state === "succeeded" ? JSON.stringify(j.result, null, 2) : `Job ${j.state}: ${j.error ?? ""}`);
            if (j.state !== "succeeded") process.exitCode = 1;
            return;
          }
          await new Promise((r) => setTimeout(r, 1000));
        }
      }),
    );
}
