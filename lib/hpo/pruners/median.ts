import { invalid } from "@/lib/errors";
import type { FrozenTrial, StudyView } from "../types";
import { lastStep } from "../types";
import type { Pruner } from "./types";

export interface PercentilePrunerOptions {
  /** Pruning starts once this many trials are COMPLETE (Optuna: 5). */
  nStartupTrials?: number;
  /** No pruning before this step (Optuna: 0). */
  nWarmupSteps?: number;
  /** Check every this many steps after the warm-up (Optuna: 1). */
  intervalSteps?: number;
  /** Least number of COMPLETE trials with a value at the step for a decision (Optuna: 1). */
  nMinTrials?: number;
}

/** Linear-interpolated percentile (numpy's default), ignoring NaN. */
function percentileOf(values: number[], q: number): number {
  const v = values.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const pos = (q / 100) * (v.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return v[lo]! + (v[hi]! - v[lo]!) * (pos - lo);
}

/**
 * Prunes when the trial's best intermediate value so far is worse than the given percentile of the
 * COMPLETE trials' values at the same step (Optuna's PercentilePruner, same defaults).
 */
export class PercentilePruner implements Pruner {
  readonly name: string = "percentile";
  readonly percentile: number;
  private readonly nStartupTrials: number;
  private readonly nWarmupSteps: number;
  private readonly intervalSteps: number;
  private readonly nMinTrials: number;

  constructor(percentile: number, opts: PercentilePrunerOptions = {}) {
    this.percentile = percentile;
    this.nStartupTrials = opts.nStartupTrials ?? 5;
    this.nWarmupSteps = opts.nWarmupSteps ?? 0;
    this.intervalSteps = opts.intervalSteps ?? 1;
    this.nMinTrials = opts.nMinTrials ?? 1;
    if (!(percentile >= 0 && percentile <= 100)) throw invalid(`percentile must be between 0 and 100, got ${percentile}`);
    if (!Number.isInteger(this.nStartupTrials) || this.nStartupTrials < 0) throw invalid("nStartupTrials must be a whole number >= 0");
    if (!Number.isInteger(this.nWarmupSteps) || this.nWarmupSteps < 0) throw invalid("nWarmupSteps must be a whole number >= 0");
    if (!Number.isInteger(this.intervalSteps) || this.intervalSteps < 1) throw invalid("intervalSteps must be a whole number >= 1");
    if (!Number.isInteger(this.nMinTrials) || this.nMinTrials < 1) throw invalid("nMinTrials must be a whole number >= 1");
  }

  prune(study: StudyView, trial: FrozenTrial): boolean {
    const completed = study.trials.filter((t) => t.state === "COMPLETE" && t.number !== trial.number);
    if (completed.length === 0 || completed.length < this.nStartupTrials) return false;
    const step = lastStep(trial);
    if (step === null || step < this.nWarmupSteps) return false;
    if (!this.isFirstInInterval(step, trial)) return false;
    const values = Object.values(trial.intermediateValues).filter((v) => !Number.isNaN(v));
    if (values.length === 0) return true;
    const maximize = study.direction === "maximize";
    const best = maximize ? Math.max(...values) : Math.min(...values);
    const atStep = completed.filter((t) => step in t.intermediateValues).map((t) => t.intermediateValues[step]!);
    if (atStep.length < this.nMinTrials) return false;
    const p = percentileOf(atStep, maximize ? 100 - this.percentile : this.percentile);
    if (Number.isNaN(p)) return false;
    return maximize ? best < p : best > p;
  }

  /** Only the first report inside each interval is checked, so a skipped check happens at the next report. */
  private isFirstInInterval(step: number, trial: FrozenTrial): boolean {
    const nearestLower = Math.floor((step - this.nWarmupSteps) / this.intervalSteps) * this.intervalSteps + this.nWarmupSteps;
    let secondLast = -1;
    for (const k of Object.keys(trial.intermediateValues)) {
      const s = Number(k);
      if (s > secondLast && s !== step) secondLast = s;
    }
    return secondLast < nearestLower;
  }
}

/** Prunes a trial whose best value so far is worse than the median of COMPLETE trials at the same step. */
export class MedianPruner extends PercentilePruner {
  override readonly name = "median";
  constructor(opts: PercentilePrunerOptions = {}) {
    super(50, opts);
  }
}
