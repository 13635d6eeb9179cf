// Read models of studies for the REST API and the dashboard (snake_case, as the other v1 resources).
import { db, parseJson } from "@/lib/db";
import { notFound } from "@/lib/errors";
import { DbStorage } from "./db-storage";
import { fanovaImportances } from "./importance/fanova";
import { closeStudy, getStudyRow, studyConfigOf } from "./studies";
import { TRIAL_STATES, type Direction, type FrozenTrial, type TrialState } from "./types";

export interface StudySummaryJson {
  id: string;
  name: string;
  direction: Direction;
  state: string;
  sampler: unknown;
  pruner: unknown;
  n_trials: number | null;
  time_budget_sec: number | null;
  parent_run_id: string | null;
  objective: string;
  created_at: string;
  trial_counts: Record<TrialState, number>;
  best_value: number | null;
}

export interface TrialJson {
  id: string;
  number: number;
  state: TrialState;
  value: number | null;
  params: Record<string, unknown>;
  /** [step, value] pairs by step. */
  intermediate_values: [number, number][];
  user_attrs: Record<string, unknown>;
  fail_reason: string | null;
  retried_from: number | null;
  run_id: string | null;
  started_at: string | null;
  completed_at: string | null;
  duration_ms: number | null;
}

export interface StudyDetailJson {
  study: StudySummaryJson;
  trials: TrialJson[];
  best_trial: number | null;
  /** fANOVA importance of each parameter all COMPLETE trials share; null below 3 such trials. */
  importance: Record<string, number> | null;
}

type StudyRow = Awaited<ReturnType<typeof getStudyRow>>;

function emptyCounts(): Record<TrialState, number> {
  return Object.fromEntries(TRIAL_STATES.map((s) => [s, 0])) as Record<TrialState, number>;
}

function summaryOf(row: StudyRow, counts: Record<TrialState, number>, best: number | null): StudySummaryJson {
  const c = studyConfigOf(row);
  return {
    id: row.id,
    name: row.name,
    direction: row.direction as Direction,
    state: row.state,
    sampler: parseJson(row.sampler, {}),
    pruner: parseJson(row.pruner, {}),
    n_trials: row.nTrials,
    time_budget_sec: row.timeBudgetSec,
    parent_run_id: row.parentRunId,
    objective: c.objective.kind,
    created_at: row.createdAt.toISOString(),
    trial_counts: counts,
    best_value: best,
  };
}

/** Studies, newest first, with trial counts and best value. */
export async function listStudies(opts: { limit?: number; offset?: number } = {}): Promise<{ studies: StudySummaryJson[]; total: number }> {
  const [rows, total] = await Promise.all([
    db().study.findMany({ orderBy: { createdAt: "desc" }, take: Math.min(Math.max(opts.limit ?? 50, 1), 500), skip: Math.max(opts.offset ?? 0, 0) }),
    db().study.count(),
  ]);
  const ids = rows.map((r) => r.id);
  const [counts, bests] = await Promise.all([
    db().trial.groupBy({ by: ["studyId", "state"], where: { studyId: { in: ids } }, _count: { _all: true } }),
    db().trial.groupBy({ by: ["studyId"], where: { studyId: { in: ids }, state: "COMPLETE" }, _min: { value: true }, _max: { value: true } }),
  ]);
  const studies = rows.map((r) => {
    const c = emptyCounts();
    for (const g of counts) if (g.studyId === r.id && g.state in c) c[g.state as TrialState] = g._count._all;
    const b = bests.find((g) => g.studyId === r.id);
    const best = b ? (r.direction === "maximize" ? b._max.value : b._min.value) : null;
    return summaryOf(r, c, best ?? null);
  });
  return { studies, total };
}

function trialJson(t: FrozenTrial, extra: { runId: string | null }): TrialJson {
  const steps = Object.keys(t.intermediateValues)
    .map(Number)
    .sort((a, b) => a - b);
  const reason = t.systemAttrs.fail_reason;
  const from = t.systemAttrs.retried_from;
  return {
    id: t.id,
    number: t.number,
    state: t.state,
    value: t.value,
    params: { ...t.params },
    intermediate_values: steps.map((s) => [s, t.intermediateValues[s]!]),
    user_attrs: { ...t.userAttrs },
    fail_reason: typeof reason === "string" ? reason : null,
    retried_from: typeof from === "number" ? from : null,
    run_id: extra.runId ?? (typeof t.userAttrs.run_id === "string" ? t.userAttrs.run_id : null),
    started_at: t.startedAt?.toISOString() ?? null,
    completed_at: t.completedAt?.toISOString() ?? null,
    duration_ms: t.startedAt && t.completedAt ? t.completedAt.getTime() - t.startedAt.getTime() : null,
  };
}

/** One study with every trial and the parameter importance. */
export async function getStudyDetail(studyId: string): Promise<StudyDetailJson> {
  const row = await db().study.findUnique({ where: { id: studyId } });
  if (!row) throw notFound("study", studyId);
  const trials = await new DbStorage().getAllTrials(studyId);
  const runIds = await db().trial.findMany({ where: { studyId }, select: { id: true, runId: true } });
  const runOf = new Map(runIds.map((r) => [r.id, r.runId]));
  const counts = emptyCounts();
  for (const t of trials) counts[t.state]++;
  const complete = trials.filter((t) => t.state === "COMPLETE" && t.value !== null && Number.isFinite(t.value));
  let best: FrozenTrial | null = null;
  for (const t of complete) if (!best || (row.direction === "maximize" ? t.value! > best.value! : t.value! < best.value!)) best = t;
  let importance: Record<string, number> | null = null;
  if (complete.length >= 3) {
    try {
      importance = fanovaImportances(trials, { nTrees: 32 });
    } catch {
      importance = null;
    }
  }
  return {
    study: summaryOf(row, counts, best?.value ?? null),
    trials: trials.map((t) => trialJson(t, { runId: runOf.get(t.id) ?? null })),
    best_trial: best?.number ?? null,
    importance,
  };
}

export async function listStudyTrials(studyId: string): Promise<{ trials: TrialJson[] }> {
  const { trials } = await getStudyDetail(studyId);
  return { trials };
}

/** Stops a running study: queued trials are cancelled, running ones finish. */
export async function stopStudy(studyId: string): Promise<StudySummaryJson> {
  await getStudyRow(studyId);
  await closeStudy(studyId, "stopped");
  return (await getStudyDetail(studyId)).study;
}
