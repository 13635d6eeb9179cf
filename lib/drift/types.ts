// Public shapes of lib/drift: inputs, options and the report. The report is plain data (numbers,
// strings, arrays), so the API, the CLI's --json and the dashboard all use it as is.

export type ColumnType = "numeric" | "categorical";

export const TEST_NAMES = ["ks", "chisquare", "z", "wasserstein", "jensenshannon", "psi"] as const;
export type TestName = (typeof TEST_NAMES)[number];

/** One cell: numbers, numeric strings, category labels; null, undefined, NaN, "" and "NA"-like tokens are missing. */
export type Cell = string | number | boolean | null | undefined;

/** A column's values: a Float64Array (NaN = missing) or any array of cells. */
export type ColumnValues = Float64Array | ArrayLike<Cell>;

export interface ColumnInput {
  name: string;
  values: ColumnValues;
  /** Forces the type; otherwise inferred (numeric when ≥ 90% of present cells are numbers). */
  type?: ColumnType;
  /** For values parsed beforehand into a Float64Array: how many of its NaN were non-numeric cells. */
  invalid?: { count: number; examples: readonly string[] };
}

/** Columns by name, or a list of named columns. */
export type ColumnsInput = Readonly<Record<string, ColumnValues>> | readonly ColumnInput[];

export interface ColumnTestOptions {
  test?: TestName;
  threshold?: number;
}

export interface DriftOptions {
  /** Only these columns (default: every column of the reference). */
  columns?: readonly string[];
  /** Force one test for every column (default: automatic selection). */
  test?: TestName;
  /** Threshold for every column (default: the test's own). */
  threshold?: number;
  /** Per-column test and threshold; wins over `test` and `threshold`. */
  perColumn?: Readonly<Record<string, ColumnTestOptions>>;
  /** Default threshold per test, replacing the built-in ones. */
  thresholds?: Readonly<Partial<Record<TestName, number>>>;
  /** Dataset drift when the share of drifted columns is at least this (default 0.5). */
  datasetDriftShare?: number;
  /** Fewer present values than this on either side: the column is skipped, "not enough data" (default 30). */
  minRows?: number;
  /** Reference at most this many rows: statistical tests; above: distances (default 1000). */
  smallReferenceRows?: number;
  /** Bins for PSI and binned Jensen–Shannon/chi-square on numeric columns (default 10, reference deciles). */
  psiBins?: number;
  /** Proportion standing in for an empty PSI bin (default 1e-4). */
  psiEpsilon?: number;
  /** Logarithm base of the Jensen–Shannon distance (default e, as SciPy). */
  jensenShannonBase?: number;
  /** Bars in the histograms of the report (default 20). */
  histogramBins?: number;
  /** Column types for the reference when not inferred. */
  types?: Readonly<Record<string, ColumnType>>;
}

export type Histogram =
  | { kind: "bins"; edges: number[]; counts: number[] }
  | { kind: "categories"; categories: string[]; counts: number[] };

export interface ColumnReport {
  column: string;
  type: ColumnType | "unknown";
  /** The test used; null when the column was skipped. */
  test: TestName | null;
  /** Test statistic (KS D, χ², z, normed Wasserstein, JS distance, PSI); null when skipped. */
  statistic: number | null;
  /** Present for tests with a p-value (ks, chisquare, z). */
  p_value?: number;
  threshold: number | null;
  drifted: boolean;
  psi: number | null;
  reference_histogram: Histogram | null;
  current_histogram: Histogram | null;
  /** Present (non-missing, valid) values on each side. */
  n_reference: number;
  n_current: number;
  missing_reference: number;
  missing_current: number;
  /** Non-numeric cells in a numeric column, treated as missing. */
  invalid_reference: number;
  invalid_current: number;
  /** Why the column was not tested, when it was not. */
  skipped?: string;
  /** Explanations: constant columns, sketch error, new categories, fallbacks. */
  notes: string[];
}

export interface DriftReport {
  columns: ColumnReport[];
  /** Drifted columns / tested columns (0 when none was tested). */
  share_drifted: number;
  dataset_drift: boolean;
  n_reference: number;
  n_current: number;
  n_tested: number;
  n_drifted: number;
  /** Columns of the reference absent from the current data, and the other way round. */
  missing_in_current: string[];
  missing_in_reference: string[];
  dataset_drift_share: number;
  warnings: string[];
}
