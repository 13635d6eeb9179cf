// A retried pipeline job (its worker died or shut down) first looks at what earlier attempts left, as
// `train` jobs do: a training that finished is gated and registered instead of trained again, so one
// pipeline run never registers two versions; runs a dead worker left RUNNING end KILLED.
import { db, parseJson } from "../db";
import type { Task } from "../ml";
import { getRun, updateRun, type Run } from "../tracking";
import { earlierSearchRuns, killLeftRunning, REFIT_OF_TRIAL_TAG, testMetricsOfRun, TRAINING_TAGS, type SearchResult, type TrainingResult } from "../training";
import type { PipelineSearchSummary } from "./types";

/** What the rest of a pipeline run (gate, registration, result) needs from its training. */
export interface Trained {
  runId: string;
  task: Task;
  family: string;
  testMetrics: Record<string, number>;
  search: PipelineSearchSummary | null;
}

export function trainedOf(t: TrainingResult): Trained {
  const s = (t as Partial<SearchResult>).search;
  const b = s?.bestTrial;
  return {
    runId: t.runId,
    task: t.task,
    family: t.family,
    testMetrics: t.testMetrics,
    search: s && b ? { study_id: s.studyId, parent_run_id: s.parentRunId, trials: s.families.reduce((n, f) => n + f.trials, 0), best_trial: { family: b.family, number: b.number, value: b.value } } : null,
  };
}

/**
 * The training an earlier attempt of the job finished (a plain run, or a search's refit), or else,
 * for a search on the workers, the parent run to carry on under (its studies are named after the job,
 * so their finished trials count).
 */
export async function settleEarlierAttempt(jobId: string, attempt: number, searchOnWorkers: boolean): Promise<{ trained: Trained } | { parentRunId?: string }> {
  const { parent, others } = await earlierSearchRuns(jobId);
  const finished = others.find((r) => r.status === "FINISHED" && (r.tags[REFIT_OF_TRIAL_TAG] !== undefined || (!r.parentRunId && !parent)));
  for (const run of others) if (run !== finished) await killLeftRunning(run, jobId, attempt);
  if (finished) {
    const search = finished.tags[REFIT_OF_TRIAL_TAG] !== undefined ? await closeSearchOf(finished) : null;
    const task = finished.tags[TRAINING_TAGS.task] as Task;
    return { trained: { runId: finished.id, task, family: finished.tags[TRAINING_TAGS.family] ?? "", testMetrics: testMetricsOfRun(finished), search } };
  }
  if (searchOnWorkers) return { parentRunId: parent?.id };
  // A search in the job's own process starts over under a new parent.
  if (parent) await killLeftRunning(parent, jobId, attempt);
  return {};
}

/** The search behind a refit an earlier attempt finished, its parent run closed as the search would have. */
async function closeSearchOf(refit: Run): Promise<PipelineSearchSummary | null> {
  const [studyId, number] = refit.tags[REFIT_OF_TRIAL_TAG]!.split(":");
  if (!refit.parentRunId || !studyId) return null;
  const parent = await getRun(refit.parentRunId);
  if (parent.status !== "FINISHED") await updateRun(null, parent.id, { status: "FINISHED" });
  const studyIds = Object.entries(parent.tags)
    .filter(([k]) => k.startsWith("mlops.study."))
    .map(([, v]) => v);
  const trials = await db().trial.findMany({ where: { studyId: { in: studyIds } }, select: { studyId: true, number: true, value: true, systemAttrs: true } });
  // A trial whose worker was lost was repeated under another number: the repeat is the one counted.
  const counted = trials.filter((t) => !parseJson<Record<string, unknown>>(t.systemAttrs, {}).worker_lost);
  const best = trials.find((t) => t.studyId === studyId && t.number === Number(number));
  if (!best || best.value === null) return null;
  return {
    study_id: studyId,
    parent_run_id: parent.id,
    trials: counted.length,
    best_trial: { family: refit.tags[TRAINING_TAGS.family] ?? "", number: best.number, value: best.value },
  };
}
