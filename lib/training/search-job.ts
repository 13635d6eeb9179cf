// The `train.search` job: a training with a search (`hpo`) whose trials are `hpo.trial` jobs on any
// worker. It only waits for them, then refits, so workers run it in their orchestration lane: it never
// holds a slot its trials need.
import { PermanentJobError, type JobContext } from "../jobs";
import { searchRuns, setRunTags, updateRun, type Run } from "../tracking";
import { JOB_ID_TAG, finishEarlierRun, jobError, jobSpec, jobTrainingOptions, trainJobResult, type TrainJobResult } from "./job";
import { versionOfRun } from "./register";
import { TAGS } from "./run";
import type { TrainJobSpec } from "./spec";
import { REFIT_OF_TRIAL_TAG, runTrainingSearch } from "./search";
import { SEARCH_TAG } from "./search-workers";

export async function trainSearchJobHandler(ctx: JobContext): Promise<TrainJobResult> {
  const spec = jobSpec(ctx);
  if (!spec.hpo) throw new PermanentJobError("a train.search job needs a spec with `hpo`");
  // Always looked for: a worker that shut down released the job without counting the attempt.
  const earlier = await settleEarlierSearch(ctx.job.id, ctx.job.attempts, spec);
  if ("run_id" in earlier) return earlier;
  try {
    const r = await runTrainingSearch(spec, jobTrainingOptions(ctx), { jobId: ctx.job.id, parentRunId: earlier.parentRunId });
    return {
      ...trainJobResult(r),
      search: { study_id: r.search.studyId, parent_run_id: r.search.parentRunId, best_trial: r.search.bestTrial.number, best_value: r.search.bestTrial.value },
    };
  } catch (err) {
    throw jobError(err);
  }
}

/**
 * A retried attempt (its worker died or shut down) carries on under the parent run of the earlier
 * ones: the studies are named after the job, so the search waits for them instead of starting over. A
 * refit that got as far as its model version is finished instead of trained again; one left RUNNING is
 * marked KILLED.
 */
async function settleEarlierSearch(jobId: string, attempt: number, spec: TrainJobSpec): Promise<TrainJobResult | { parentRunId?: string }> {
  const registerName = spec.register?.name ?? null;
  const { parent, others } = await earlierSearchRuns(jobId);
  for (const run of others) {
    const registered = registerName ? await versionOfRun(registerName, run.id) : null;
    if (parent && (registered || (run.status === "FINISHED" && !registerName))) return finishSearch(run, parent, spec, registered);
    await killLeftRunning(run, jobId, attempt);
  }
  return { parentRunId: parent?.id };
}

/** The runs earlier attempts of a search job created (tagged with its id): the search's parent run and the others. */
export async function earlierSearchRuns(jobId: string): Promise<{ parent: Run | undefined; others: Run[] }> {
  const runs = (await searchRuns({ filter: `tags.\`${JOB_ID_TAG}\` = '${jobId.replace(/'/g, "''")}'`, view: "all", maxResults: 1000 })).items;
  const parent = runs.find((r) => r.tags[SEARCH_TAG] && !r.parentRunId);
  return { parent, others: runs.filter((r) => r !== parent) };
}

/** A run an earlier attempt left RUNNING (its worker died or shut down) ends KILLED, saying why. */
export async function killLeftRunning(run: Run, jobId: string, attempt: number): Promise<void> {
  if (run.status !== "RUNNING") return;
  await setRunTags(null, run.id, { [TAGS.error]: `Its worker stopped before the run ended; job ${jobId} was retried (attempt ${attempt})` });
  await updateRun(null, run.id, { status: "KILLED" });
}

/** The refit of a dead attempt got far enough: it is the job's result, and the parent run is closed. */
async function finishSearch(refit: Run, parent: Run, spec: TrainJobSpec, registered: { source: string; signature: unknown } | null): Promise<TrainJobResult> {
  const result = await finishEarlierRun(refit, spec, registered);
  if (parent.status !== "FINISHED") await updateRun(null, parent.id, { status: "FINISHED" });
  const [studyId, trial] = (refit.tags[REFIT_OF_TRIAL_TAG] ?? "").split(":");
  const best = parent.metrics.best_validation_loss?.value;
  return studyId && best !== undefined ? { ...result, search: { study_id: studyId, parent_run_id: parent.id, best_trial: Number(trial), best_value: best } } : result;
}
