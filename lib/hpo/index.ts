// Hyperparameter optimisation: define-by-run trials, samplers, pruners, studies over a storage
// interface, and parameter importance. See docs/hpo.md.
export * from "./types";
export {
  categoricalDistribution,
  contains,
  describeDistribution,
  distributionsEqual,
  floatDistribution,
  intDistribution,
  isSingle,
  type CategoricalDistribution,
  type Distribution,
  type FloatDistribution,
  type IntDistribution,
  type NumericOptions,
  type ParamValue,
  type SearchSpace,
} from "./distributions";
export { InMemoryStorage, type CreateTrialInput, type HpoStorage, type StudyRecord } from "./storage";
export { DbStorage } from "./db-storage";
export { Trial, TrialPruned } from "./trial";
export { Study, createStudy, type CreateStudyOptions, type Objective, type OptimizeOptions, type TellResult } from "./study";
export type { Sampler } from "./samplers/types";
export { RandomSampler, type RandomSamplerOptions } from "./samplers/random";
export { GridSampler, type GridSamplerOptions } from "./samplers/grid";
export { OPTUNA_TPE_DEFAULTS, TPESampler, TPE_DEFAULTS, defaultGamma, type TPESamplerOptions } from "./samplers/tpe";
export { defaultWeights } from "./samplers/parzen";
export type { Pruner } from "./pruners/types";
export { NopPruner } from "./pruners/nop";
export { MedianPruner, PercentilePruner, type PercentilePrunerOptions } from "./pruners/median";
export { SuccessiveHalvingPruner, type SuccessiveHalvingOptions } from "./pruners/successive-halving";
export { groupDecomposedSearchSpace, intersectionSearchSpace } from "./search-space";
export { fanovaImportances, type ImportanceOptions } from "./importance/fanova";
export {
  PRUNER_NAMES,
  SAMPLER_NAMES,
  prunerConfigSchema,
  prunerFromConfig,
  samplerConfigSchema,
  samplerFromConfig,
  type PrunerConfig,
  type SamplerConfig,
} from "./config";
export {
  HPO_JOB_TYPES,
  HPO_LOCAL_TRIAL_JOB,
  HPO_TRIAL_JOB,
  STUDY_STATES,
  closeStudy,
  createDbStudy,
  createDbStudySchema,
  createInProcessStudy,
  failStaleTrials,
  getStudyRow,
  openStudy,
  pendingTrialJobs,
  studyConfigOf,
  type CreateDbStudyInput,
  type DbStudyConfig,
  type DbStudyHandle,
  type ObjectiveSpec,
  type StudyState,
} from "./studies";
export { hpoTrialHandler, type ObjectiveContext, type ObjectiveFactory, type TrialJobResult } from "./trial-job";
export { loadObjectiveModule, moduleObjective, type ObjectiveModule } from "./objective-module";
export { getStudyDetail, listStudies, listStudyTrials, stopStudy, type StudyDetailJson, type StudySummaryJson, type TrialJson } from "./api";
export { hpoApi, studyListQuery } from "./openapi";
