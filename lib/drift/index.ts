// Data drift detection: statistics that match SciPy, Evidently-style test selection per column,
// reference profiles, and reports as plain data. Framework-free; see docs/drift.md.

export type {
  Cell,
  ColumnInput,
  ColumnReport,
  ColumnTestOptions,
  ColumnType,
  ColumnValues,
  ColumnsInput,
  DriftOptions,
  DriftReport,
  Histogram,
  TestName,
} from "./types";
export { TEST_NAMES } from "./types";

export { compareColumns, compareToProfile, DEFAULTS } from "./compare";
export { CurrentWindow, WINDOW_EXACT_LIMIT, WINDOW_SKETCH_K, type WindowOptions } from "./window";
export {
  buildReferenceProfile,
  parseProfile,
  ProfileBuilder,
  PROFILE_FORMAT,
  PROFILE_VERSION,
  type CategoricalProfileColumn,
  type NumericProfileColumn,
  type ProfileColumn,
  type ProfileOptions,
  type ReferenceProfile,
} from "./profile";

export { DRIFT_TESTS, isDrifted, WASSERSTEIN_STD_FLOOR, type DriftTest, type TestContext, type TestOutcome } from "./tests";
export { selectTest, SMALL_REFERENCE_ROWS, FEW_VALUES, type Selection } from "./select";
export type { ColumnSummary, NumericSummary, CategoricalSummary } from "./columns";
export { MISSING_TOKENS } from "./columns";

// The statistics on their own, for callers with plain arrays.
export { ksTest, ksPValue, KS_MAX_EXACT_N, type KsResult, type KsMethod } from "./ks";
export { kstwoSf, smirnovSf } from "./kolmogorov";
export {
  chiSquare,
  twoProportionZTest,
  wassersteinDistance,
  jensenShannonDistance,
  populationStabilityIndex,
  PSI_EPSILON,
} from "./stats";
export { chi2Sf, normSf, gammaincc, gammainc, lgamma } from "../stats";
export { fromSorted, mergedWalk, quantile, type EmpiricalDistribution } from "./distribution";
export { sortInPlace, sortedWithoutNaN } from "./sort";
export { KllSketch, DEFAULT_SKETCH_K, type KllState } from "./kll";
export { HyperLogLog } from "./hll";

export { CsvParser, readCsvColumns, readCsvInChunks, type CsvColumns, type CsvReadOptions } from "./csv";
export { formatReportTable, reportSummary, type ReportSummary } from "./format";

export { trainingProfile, PROFILE_ARTIFACT, PREDICTION_COLUMN } from "./training";
