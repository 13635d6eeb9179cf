// Public types of lib/datasets: plain JSON-friendly objects (no Prisma types leave this module).

export const COLUMN_TYPES = ["numeric", "integer", "categorical", "boolean", "datetime", "text"] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

/** Types whose readTable values are a Float64Array (NaN = missing). */
export const NUMERIC_STORAGE_TYPES = ["numeric", "integer", "boolean", "datetime"] as const;

export interface ColumnSchema {
  name: string;
  /** The type in use: the inferred one unless the upload overrode it. */
  type: ColumnType;
  inferredType: ColumnType;
  /** True when at least one value is missing. */
  nullable: boolean;
}

export interface Histogram {
  /** bins + 1 ascending edges; the last bin includes its right edge (numpy.histogram). */
  edges: number[];
  counts: number[];
  /** False when computed from a uniform sample and scaled to the column's count. */
  exact: boolean;
}

export interface ValueCount {
  value: string;
  count: number;
}

interface ColumnProfileBase {
  name: string;
  count: number;
  missing: number;
  /** Distinct non-missing values; a HyperLogLog estimate (about 2% error) when distinctExact is false. */
  distinct: number;
  distinctExact: boolean;
}

export interface NumericColumnProfile extends ColumnProfileBase {
  type: "numeric" | "integer";
  /** null when the column has no value (and std with fewer than two). */
  mean: number | null;
  /** Sample standard deviation (n - 1), as pandas. */
  std: number | null;
  min: number | null;
  q25: number | null;
  median: number | null;
  q75: number | null;
  max: number | null;
  /** False when quartiles come from a uniform sample of `sampleSize` values. */
  quantilesExact: boolean;
  sampleSize: number;
  histogram: Histogram | null;
}

export interface CategoricalColumnProfile extends ColumnProfileBase {
  type: "categorical" | "boolean" | "text";
  /** Most frequent values first (at most 50); boolean columns report "true" and "false". */
  values: ValueCount[];
  /** Non-missing values not listed in `values`. */
  otherCount: number;
  /** False when counts are lower bounds from a bounded frequency summary (Misra–Gries). */
  countsExact: boolean;
  minLength: number | null;
  maxLength: number | null;
  meanLength: number | null;
}

export interface DatetimeColumnProfile extends ColumnProfileBase {
  type: "datetime";
  min: string | null;
  max: string | null;
}

export type ColumnProfile = NumericColumnProfile | CategoricalColumnProfile | DatetimeColumnProfile;

export interface CsvFormat {
  delimiter: string;
  hasBom: boolean;
  encoding: "utf-8";
}

export interface DatasetProfile {
  rowCount: number;
  columnCount: number;
  format: CsvFormat;
  columns: ColumnProfile[];
}

export interface ValidationIssue {
  severity: "error" | "warning" | "info";
  code:
    | "all_missing"
    | "missing_values"
    | "constant"
    | "duplicate_rows"
    | "outliers"
    | "target_missing_values"
    | "target_single_class"
    | "target_constant"
    | "target_imbalanced"
    | "target_unsupported_type";
  column?: string;
  message: string;
}

export interface TargetReport {
  column: string;
  type: ColumnType;
  /** What a model would learn: classes for categorical, boolean and few-valued integers; regression for other numbers. */
  task: "classification" | "regression" | null;
  missing: number;
  /** Classification only: class counts, most frequent first. */
  classes: { value: string; count: number; fraction: number }[] | null;
  classesExact: boolean;
  /** Largest class count over smallest. */
  imbalanceRatio: number | null;
}

export interface ValidationReport {
  rowCount: number;
  columnCount: number;
  /** Every column with at least one missing value. */
  missing: { column: string; count: number; fraction: number }[];
  allMissingColumns: string[];
  /** Columns with exactly one distinct non-missing value. */
  constantColumns: string[];
  duplicateRows: { count: number; fraction: number; exact: boolean };
  /** Numeric columns with values outside [Q1 - 1.5 IQR, Q3 + 1.5 IQR]. */
  outliers: { column: string; count: number; fraction: number; lowerFence: number; upperFence: number; exact: boolean }[];
  target: TargetReport | null;
  issues: ValidationIssue[];
}

export interface DatasetVersionSummary {
  id: string;
  datasetId: string;
  datasetName: string;
  version: number;
  sha256: string;
  sizeBytes: number;
  rowCount: number;
  columnCount: number;
  createdAt: string;
  createdById: string | null;
}

export interface DatasetVersionDetail extends DatasetVersionSummary {
  schema: ColumnSchema[];
  profile: DatasetProfile;
  validation: ValidationReport;
}

export interface DatasetInfo {
  id: string;
  name: string;
  description: string | null;
  createdAt: string;
  createdById: string | null;
  versionCount: number;
  latest: DatasetVersionSummary | null;
}

export interface DatasetWithVersions extends DatasetInfo {
  /** Newest first. */
  versions: DatasetVersionSummary[];
}

/** A column of a training table: numbers in a Float64Array, or strings. */
export type TableColumn =
  | {
      name: string;
      /** boolean: 1/0; datetime: milliseconds since the epoch (UTC); NaN = missing. */
      type: "numeric" | "integer" | "boolean" | "datetime";
      values: Float64Array;
    }
  | {
      name: string;
      /** Trimmed cell text; null = missing. */
      type: "categorical" | "text";
      values: (string | null)[];
    };

export interface Table {
  columns: TableColumn[];
  rowCount: number;
}

export interface Preview {
  columns: { name: string; type: ColumnType }[];
  /** Cells as written in the file (not trimmed, missing tokens kept). */
  rows: string[][];
}

export type VersionSelector = number | "latest";
