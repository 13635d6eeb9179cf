import type { FrozenTrial, StudyView } from "../types";

/**
 * A pruner is one pure decision (after Optuna's pruners/_base.py): should this running trial stop now,
 * given what the study holds? It reads the trial's reported values and other trials' and writes nothing.
 */
export interface Pruner {
  readonly name: string;
  prune(study: StudyView, trial: FrozenTrial): boolean;
}
