// The data every part of lib/hpo passes around: trial snapshots and the read-only study view that
// samplers and pruners receive.
import type { Distribution, ParamValue } from "./distributions";

export const TRIAL_STATES = ["RUNNING", "COMPLETE", "PRUNED", "FAIL", "WAITING"] as const;
export type TrialState = (typeof TRIAL_STATES)[number];
export type FinishedState = "COMPLETE" | "PRUNED" | "FAIL";
export type Direction = "minimize" | "maximize";

/** An immutable snapshot of one trial, as storage returns it. */
export interface FrozenTrial {
  readonly id: string;
  readonly number: number;
  readonly state: TrialState;
  /** Objective value (COMPLETE), last intermediate value (PRUNED), else null. */
  readonly value: number | null;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly distributions: Readonly<Record<string, Distribution>>;
  /** Reported intermediate values by step. */
  readonly intermediateValues: Readonly<Record<number, number>>;
  readonly userAttrs: Readonly<Record<string, unknown>>;
  /** Bookkeeping of lib/hpo itself (enqueued params, relative params, failure reason). */
  readonly systemAttrs: Readonly<Record<string, unknown>>;
  readonly startedAt: Date | null;
  readonly completedAt: Date | null;
}

/** What samplers and pruners see: the direction and all trials of the study, ordered by number. */
export interface StudyView {
  readonly direction: Direction;
  readonly trials: readonly FrozenTrial[];
}

export function isFinished(state: TrialState): state is FinishedState {
  return state === "COMPLETE" || state === "PRUNED" || state === "FAIL";
}

/** Largest reported step, or null when nothing was reported. */
export function lastStep(trial: FrozenTrial): number | null {
  let last: number | null = null;
  for (const k of Object.keys(trial.intermediateValues)) {
    const s = Number(k);
    if (last === null || s > last) last = s;
  }
  return last;
}

/** Reported steps in increasing order. */
export function reportedSteps(trial: FrozenTrial): number[] {
  return Object.keys(trial.intermediateValues)
    .map(Number)
    .sort((a, b) => a - b);
}

/** True when `a` is a better objective value than `b` for the direction. */
export function isBetter(direction: Direction, a: number, b: number): boolean {
  return direction === "minimize" ? a < b : a > b;
}

/** The best COMPLETE trial (lowest number wins ties), or null. */
export function bestTrialOf(trials: readonly FrozenTrial[], direction: Direction): FrozenTrial | null {
  let best: FrozenTrial | null = null;
  for (const t of trials) {
    if (t.state !== "COMPLETE" || t.value === null || Number.isNaN(t.value)) continue;
    if (best === null || isBetter(direction, t.value, best.value as number)) best = t;
  }
  return best;
}

/** System attribute keys used by lib/hpo. */
export const SYSTEM_ATTRS = {
  fixedParams: "fixed_params",
  relativeParams: "relative_params",
  failReason: "fail_reason",
  /** Number of the trial this one repeats (its worker died). */
  retriedFrom: "retried_from",
} as const;
