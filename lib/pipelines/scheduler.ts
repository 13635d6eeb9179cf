// The worker's pipeline scheduler. Every worker ticks it; each due pipeline is queued exactly once
// because a tick first claims it with a conditional UPDATE (compare-and-set on nextRunAt, or on
// datasetVersionSeen for the dataset trigger) and only the tick whose UPDATE changed the row enqueues.
import { db } from "../db";
import { logger } from "../observability";
import { nextRunAfter } from "./definition";
import { readStored } from "./pipelines";
import { runPipelineNow } from "./runs";

export interface TickResult {
  /** Pipeline runs this tick queued, by cause. */
  scheduled: { pipeline: string; pipelineRunId: string; jobId: string }[];
  triggered: { pipeline: string; datasetVersion: number; pipelineRunId: string; jobId: string }[];
  /** Due schedules skipped because a run of the pipeline was still queued or running. */
  skipped: string[];
}

export async function schedulerTick(now = new Date()): Promise<TickResult> {
  const out: TickResult = { scheduled: [], triggered: [], skipped: [] };
  const log = logger();

  const due = await db().pipeline.findMany({
    where: { enabled: true, schedule: { not: null }, nextRunAt: { lte: now } },
    orderBy: { nextRunAt: "asc" },
    take: 100,
  });
  for (const p of due) {
    try {
      const next = nextRunAfter(p.schedule!, now);
      const { count } = await db().pipeline.updateMany({ where: { id: p.id, nextRunAt: p.nextRunAt }, data: { nextRunAt: next } });
      if (count !== 1) continue; // another worker claimed this firing
      // A slow pipeline must not pile up runs: one queued or running run is enough.
      const active = await db().pipelineRun.count({ where: { pipelineId: p.id, state: { in: ["queued", "running"] } } });
      if (active > 0) {
        out.skipped.push(p.name);
        log.info({ pipeline: p.name }, "scheduled pipeline run skipped: the previous run has not finished");
        continue;
      }
      try {
        const { pipelineRun, job } = await runPipelineNow(p.id, { trigger: "schedule", reason: `schedule '${p.schedule}'` });
        out.scheduled.push({ pipeline: p.name, pipelineRunId: pipelineRun.id, jobId: job.id });
      } catch (err) {
        // Give the firing back so the next tick tries again.
        await db().pipeline.updateMany({ where: { id: p.id, nextRunAt: next }, data: { nextRunAt: p.nextRunAt } });
        throw err;
      }
    } catch (err) {
      log.warn({ err, pipeline: p.name }, "could not queue a scheduled pipeline run");
    }
  }

  const watching = await db().pipeline.findMany({ where: { enabled: true, definition: { contains: '"onNewDatasetVersion":true' } } });
  for (const p of watching) {
    try {
      const { definition, triggers } = readStored(p);
      if (!triggers.onNewDatasetVersion) continue;
      const latest = await db().datasetVersion.aggregate({ where: { dataset: { name: definition.dataset.name } }, _max: { version: true } });
      const version = latest._max.version;
      if (!version || version <= (p.datasetVersionSeen ?? 0)) continue;
      const { count } = await db().pipeline.updateMany({
        where: { id: p.id, datasetVersionSeen: p.datasetVersionSeen },
        data: { datasetVersionSeen: version },
      });
      if (count !== 1) continue;
      try {
        const { pipelineRun, job } = await runPipelineNow(p.id, {
          trigger: "dataset",
          datasetVersion: version,
          reason: `new version v${version} of dataset '${definition.dataset.name}'`,
        });
        out.triggered.push({ pipeline: p.name, datasetVersion: version, pipelineRunId: pipelineRun.id, jobId: job.id });
      } catch (err) {
        await db().pipeline.updateMany({ where: { id: p.id, datasetVersionSeen: version }, data: { datasetVersionSeen: p.datasetVersionSeen } });
        throw err;
      }
    } catch (err) {
      log.warn({ err, pipeline: p.name }, "could not queue a dataset-triggered pipeline run");
    }
  }
  return out;
}

/** Ticks the scheduler every `intervalMs` in this process; returns a stop function. */
export function startPipelineScheduler(intervalMs = 15_000): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const r = await schedulerTick();
      if (r.scheduled.length || r.triggered.length) logger().info({ scheduled: r.scheduled.length, triggered: r.triggered.length }, "pipeline runs queued");
    } catch (err) {
      logger().warn({ err }, "pipeline scheduler tick failed");
    } finally {
      running = false;
    }
  };
  const first = setTimeout(tick, Math.min(intervalMs, 5_000));
  const every = setInterval(tick, intervalMs);
  first.unref?.();
  every.unref?.();
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}
