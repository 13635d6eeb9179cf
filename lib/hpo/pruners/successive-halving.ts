import { invalid } from "@/lib/errors";
import type { FrozenTrial, StudyView } from "../types";
import { reportedSteps } from "../types";
import type { Pruner } from "./types";

export interface SuccessiveHalvingOptions {
  /** Steps before the first rung; "auto" = the longest COMPLETE trial's last step / 100 (Optuna). */
  minResource?: number | "auto";
  /** Keep the best 1/reductionFactor at each rung (Optuna: 4). */
  reductionFactor?: number;
  /** Rung 0 sits at minResource · reductionFactor^minEarlyStoppingRate (Optuna: 0). */
  minEarlyStoppingRate?: number;
  /** Trials needed at a rung before anyone passes it (Optuna: 0). */
  bootstrapCount?: number;
}

/**
 * Asynchronous successive halving (ASHA), as Optuna's SuccessiveHalvingPruner. Rung r is reached at step
 * minResource · η^(s + r); a trial's value at rung r is its value at the first step it reported at or
 * after that point. Optuna records these rung values as system attributes when it checks; here they are
 * read from the intermediate values, so the pruner writes nothing. A trial is checked at the report that
 * crosses a rung, against every trial that reached the same rung, and continues only if it is in the top
 * 1/η of them (the first η−1 trials: only if best).
 */
export class SuccessiveHalvingPruner implements Pruner {
  readonly name = "successive-halving";
  private readonly minResource: number | "auto";
  private readonly reductionFactor: number;
  private readonly minEarlyStoppingRate: number;
  private readonly bootstrapCount: number;

  constructor(opts: SuccessiveHalvingOptions = {}) {
    this.minResource = opts.minResource ?? "auto";
    this.reductionFactor = opts.reductionFactor ?? 4;
    this.minEarlyStoppingRate = opts.minEarlyStoppingRate ?? 0;
    this.bootstrapCount = opts.bootstrapCount ?? 0;
    if (this.minResource !== "auto" && (!Number.isInteger(this.minResource) || this.minResource < 1)) throw invalid("minResource must be 'auto' or a whole number >= 1");
    if (!Number.isInteger(this.reductionFactor) || this.reductionFactor < 2) throw invalid("reductionFactor must be a whole number >= 2");
    if (!Number.isInteger(this.minEarlyStoppingRate) || this.minEarlyStoppingRate < 0) throw invalid("minEarlyStoppingRate must be a whole number >= 0");
    if (!Number.isInteger(this.bootstrapCount) || this.bootstrapCount < 0) throw invalid("bootstrapCount must be a whole number >= 0");
    if (this.minResource === "auto" && this.bootstrapCount > 0) throw invalid("bootstrapCount needs an explicit minResource");
  }

  prune(study: StudyView, trial: FrozenTrial): boolean {
    const steps = reportedSteps(trial);
    if (steps.length === 0) return false;
    const step = steps[steps.length - 1]!;
    const previous = steps.length > 1 ? steps[steps.length - 2]! : -Infinity;
    const minResource = this.resolveMinResource(study);
    if (minResource === null) return false;
    const value = trial.intermediateValues[step]!;
    for (let rung = 0; ; rung++) {
      const at = this.rungStep(minResource, rung);
      if (step < at) return false;
      // Rungs crossed before this report were decided then.
      if (previous >= at) continue;
      if (Number.isNaN(value)) return true;
      const competing = [value];
      for (const t of study.trials) {
        if (t.number === trial.number) continue;
        const v = rungValue(t, at);
        if (v !== null) competing.push(v);
      }
      if (competing.length <= this.bootstrapCount) return true;
      if (!this.promotable(value, competing, study.direction === "maximize")) return true;
    }
  }

  private rungStep(minResource: number, rung: number): number {
    return minResource * this.reductionFactor ** (this.minEarlyStoppingRate + rung);
  }

  private resolveMinResource(study: StudyView): number | null {
    if (this.minResource !== "auto") return this.minResource;
    let last: number | null = null;
    for (const t of study.trials) {
      if (t.state !== "COMPLETE") continue;
      const s = reportedSteps(t);
      if (s.length > 0 && (last === null || s[s.length - 1]! > last)) last = s[s.length - 1]!;
    }
    return last === null ? null : Math.max(Math.floor(last / 100), 1);
  }

  private promotable(value: number, competing: number[], maximize: boolean): boolean {
    let idx = Math.floor(competing.length / this.reductionFactor) - 1;
    // Trials cannot be paused and resumed, so among the first η−1 only the best goes on (as Optuna).
    if (idx === -1) idx = 0;
    const sorted = competing.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
    if (sorted.length === 0) return true;
    idx = Math.min(idx, sorted.length - 1);
    return maximize ? value >= sorted[sorted.length - 1 - idx]! : value <= sorted[idx]!;
  }
}

/** A trial's value at the first step it reported at or after `at`, or null if it never got there. */
function rungValue(t: FrozenTrial, at: number): number | null {
  let best: number | null = null;
  for (const k of Object.keys(t.intermediateValues)) {
    const s = Number(k);
    if (s >= at && (best === null || s < best)) best = s;
  }
  return best === null ? null : t.intermediateValues[best]!;
}
