// The sampler interface (after Optuna's samplers/_base.py): pure functions of a read-only study view.
// The trial decides when to call which method; a sampler never writes anything and keeps no state that
// changes its answers, so several workers with the same sampler configuration agree.
import type { Distribution, ParamValue, SearchSpace } from "../distributions";
import type { FrozenTrial, StudyView } from "../types";

export interface Sampler {
  /** Short name shown in CLI output and the dashboard. */
  readonly name: string;
  /**
   * The parameters to sample jointly for `trial`, from what finished trials asked. Called once when a
   * trial starts; omit (with sampleRelative) for samplers that draw each parameter alone.
   */
  inferRelativeSearchSpace?(study: StudyView, trial: FrozenTrial): SearchSpace;
  /** Joint values for (part of) the relative search space; missing names fall back to sampleIndependent. */
  sampleRelative?(study: StudyView, trial: FrozenTrial, space: SearchSpace): Record<string, ParamValue>;
  /** One value for a parameter outside the relative search space. */
  sampleIndependent(study: StudyView, trial: FrozenTrial, name: string, distribution: Distribution): ParamValue;
  /** True when the sampler has nothing left to propose (a grid that is fully visited); the study stops. */
  isExhausted?(study: StudyView): boolean;
}
