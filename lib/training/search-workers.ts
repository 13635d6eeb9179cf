// A training search whose trials run on the platform's workers: the study is stored with the training
// objective, each trial is an `hpo.trial` job any worker serves, and the search only waits for them.
import { setTimeout as wait } from "node:timers/promises";
import { DbStorage, closeStudy, createDbStudy, getStudyRow, pendingTrialJobs, type CreateDbStudyInput, type FrozenTrial } from "../hpo";

/** Tag of a search's parent run (its value: the sampler). */
export const SEARCH_TAG = "mlops.search";

export interface SearchOnWorkers {
  /** The job running the search: its studies are named after it, so a retried attempt finds them. */
  jobId: string;
  /** The parent run an earlier attempt of the job created; the search carries on under it. */
  parentRunId?: string;
  createdById?: string | null;
  pollMs?: number;
}

/** True when the job was cancelled (as opposed to its worker stopping or losing the lease). */
export function wasCancelled(signal: AbortSignal): boolean {
  return signal.reason instanceof Error && signal.reason.message === "cancelled";
}

const FINISHED = ["COMPLETE", "PRUNED", "FAIL"] as const;

/**
 * Creates the study (or finds the one an earlier attempt created), which queues its trial jobs, and
 * waits until no trial is left to run, reporting each finished trial. Cancelling the job stops the
 * study: its queued trial jobs are cancelled, running ones finish on their own.
 */
export async function awaitStudyOnWorkers(
  input: CreateDbStudyInput & { name: string },
  w: SearchOnWorkers,
  signal: AbortSignal | undefined,
  report: (done: number, bestValue: number | null) => unknown,
): Promise<{ studyId: string; studyName: string; trials: readonly FrozenTrial[] }> {
  const storage = new DbStorage();
  const studyId = (await storage.getStudyByName(input.name))?.id ?? (await createDbStudy({ ...input, createdById: w.createdById ?? null })).id;
  let reported = -1;
  for (;;) {
    if (signal?.aborted) {
      if (wasCancelled(signal)) await closeStudy(studyId, "stopped");
      throw signal.reason;
    }
    const row = await getStudyRow(studyId);
    const finished = (await storage.getAllTrials(studyId, { states: FINISHED })).filter(counted);
    if (finished.length !== reported) {
      reported = finished.length;
      const values = finished.filter((t) => t.state === "COMPLETE").map((t) => t.value as number);
      await report(finished.length, values.length ? Math.min(...values) : null);
    }
    // Over when the study stopped taking trials or its jobs all ended (one may have failed for good);
    // trials still running finish first.
    const over = row.state !== "running" || (await pendingTrialJobs(studyId)) === 0;
    if (over && (await storage.getAllTrials(studyId, { states: ["RUNNING"] })).length === 0) break;
    // Woken early by an abort; the loop's first check then handles it.
    await wait(w.pollMs ?? 500, undefined, { signal }).catch(() => undefined);
  }
  await closeStudy(studyId, "complete");
  return { studyId, studyName: input.name, trials: (await storage.getAllTrials(studyId)).filter(counted) };
}

/** A trial failed because its worker died does not count: its repeat does. */
const counted = (t: FrozenTrial) => !t.systemAttrs.worker_lost;
