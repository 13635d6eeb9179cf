// Drift reports: per column, pick a test (or take the requested one), run it, add PSI and
// histograms, explain anything unusual; then the dataset verdict. Pure calculation: the result
// is plain data for the API, the CLI and the dashboard to present.

import { invalid } from "@/lib/errors";
import { binnedCounts, histograms, type Binned } from "./binning";
import {
  NumericAccumulator,
  CategoricalAccumulator,
  feed,
  inferType,
  listColumns,
  type ColumnSummary,
  type NumericSummary,
} from "./columns";
import { profileSummary, type ReferenceProfile } from "./profile";
import { selectTest, SMALL_REFERENCE_ROWS } from "./select";
import { PSI_EPSILON, populationStabilityIndex } from "./stats";
import { DRIFT_TESTS, isDrifted, type TestContext } from "./tests";
import { TEST_NAMES, type ColumnInput, type ColumnReport, type ColumnType, type ColumnsInput, type DriftOptions, type DriftReport, type TestName } from "./types";
import { CurrentWindow } from "./window";

export const DEFAULTS = {
  datasetDriftShare: 0.5,
  minRows: 30,
  smallReferenceRows: SMALL_REFERENCE_ROWS,
  psiBins: 10,
  psiEpsilon: PSI_EPSILON,
  histogramBins: 20,
} as const;

interface ReferenceSide {
  names: string[];
  rows: number;
  type(name: string): ColumnType | null;
  /** True when the column's reference is a quantile sketch (the current side then needs no sort). */
  sketched(name: string): boolean;
  summary(name: string): ColumnSummary | null;
  missing(name: string): number;
}

interface CurrentSide {
  names: string[];
  rows: number;
  has(name: string): boolean;
  /** Starts the expensive part (sorting) of a later summary(name, type), possibly on another thread. */
  prepare(name: string, type: ColumnType): void;
  /** `against`: a sketched numeric reference, to summarise against without sorting. */
  summary(name: string, type: ColumnType, against?: NumericSummary): ColumnSummary;
}

function checkOptions(o: DriftOptions): void {
  const bad = (msg: string) => {
    throw invalid(msg);
  };
  const isTest = (t: unknown): t is TestName => (TEST_NAMES as readonly unknown[]).includes(t);
  const isNum = (x: unknown) => typeof x === "number" && Number.isFinite(x);
  if (o.test !== undefined && !isTest(o.test)) bad(`Unknown test '${o.test}': use one of ${TEST_NAMES.join(", ")}`);
  if (o.threshold !== undefined && !isNum(o.threshold)) bad("The threshold must be a finite number");
  for (const [col, c] of Object.entries(o.perColumn ?? {})) {
    if (c.test !== undefined && !isTest(c.test)) bad(`Unknown test '${c.test}' for column '${col}'`);
    if (c.threshold !== undefined && !isNum(c.threshold)) bad(`The threshold for column '${col}' must be a finite number`);
  }
  for (const [t, v] of Object.entries(o.thresholds ?? {})) {
    if (!isTest(t)) bad(`Unknown test '${t}' in thresholds`);
    if (!isNum(v)) bad(`The threshold for ${t} must be a finite number`);
  }
  const share = o.datasetDriftShare;
  if (share !== undefined && !(isNum(share) && share >= 0 && share <= 1)) bad("datasetDriftShare must lie between 0 and 1");
  const int = (v: number | undefined, min: number, what: string) => {
    if (v !== undefined && !(Number.isInteger(v) && v >= min)) bad(`${what} must be a whole number of at least ${min}`);
  };
  int(o.minRows, 1, "minRows");
  int(o.smallReferenceRows, 0, "smallReferenceRows");
  int(o.psiBins, 2, "psiBins");
  int(o.histogramBins, 1, "histogramBins");
  if (o.psiEpsilon !== undefined && !(isNum(o.psiEpsilon) && o.psiEpsilon > 0 && o.psiEpsilon < 1)) bad("psiEpsilon must lie strictly between 0 and 1");
  if (o.jensenShannonBase !== undefined && !(isNum(o.jensenShannonBase) && o.jensenShannonBase > 1)) bad("jensenShannonBase must be greater than 1");
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function report(ref: ReferenceSide, cur: CurrentSide, options: DriftOptions): DriftReport {
  checkOptions(options);
  const minRows = options.minRows ?? DEFAULTS.minRows;
  const share = options.datasetDriftShare ?? DEFAULTS.datasetDriftShare;
  const psiBins = options.psiBins ?? DEFAULTS.psiBins;
  const psiEpsilon = options.psiEpsilon ?? DEFAULTS.psiEpsilon;
  const histogramBins = options.histogramBins ?? DEFAULTS.histogramBins;
  const warnings: string[] = [];

  const refNames = new Set(ref.names);
  let names = ref.names;
  let curNames = cur.names;
  if (options.columns) {
    const wanted = new Set(options.columns);
    for (const c of options.columns)
      if (!refNames.has(c) && !cur.has(c)) warnings.push(`column '${c}' is in neither the reference nor the current data`);
    names = names.filter((n) => wanted.has(n));
    curNames = curNames.filter((n) => wanted.has(n));
  }
  const missingInCurrent = names.filter((n) => !cur.has(n));
  const missingInReference = curNames.filter((n) => !refNames.has(n));
  if (missingInCurrent.length) warnings.push(`columns missing in the current data: ${missingInCurrent.join(", ")}`);
  if (missingInReference.length) warnings.push(`columns missing in the reference (not compared): ${missingInReference.join(", ")}`);
  if (cur.rows < minRows) warnings.push(`not enough data: the current window has ${plural(cur.rows, "row")}, need at least ${minRows}`);
  if (ref.rows < minRows) warnings.push(`not enough data: the reference has ${plural(ref.rows, "row")}, need at least ${minRows}`);

  const columns: ColumnReport[] = [];
  const settings: Settings = { options, minRows, psiBins, psiEpsilon, histogramBins };
  const prepare = (name: string | undefined) => {
    const t = name === undefined ? null : ref.type(name);
    if (name !== undefined && t && cur.has(name) && !ref.sketched(name)) cur.prepare(name, t);
  };
  for (let idx = 0; idx < names.length; idx++) {
    // The worker thread, when idle, sorts this current column (or else the next one) while this
    // thread sorts the reference.
    prepare(names[idx]);
    prepare(names[idx + 1]);
    columns.push(columnRow(names[idx]!, ref, cur, settings));
  }

  const tested = columns.filter((c) => !c.skipped);
  const drifted = tested.filter((c) => c.drifted).length;
  if (names.length > 0 && tested.length === 0) warnings.push("no column could be tested: see each column's reason");
  const shareDrifted = tested.length ? drifted / tested.length : 0;
  return {
    columns,
    share_drifted: shareDrifted,
    dataset_drift: tested.length > 0 && shareDrifted >= share,
    n_reference: ref.rows,
    n_current: cur.rows,
    n_tested: tested.length,
    n_drifted: drifted,
    missing_in_current: missingInCurrent,
    missing_in_reference: missingInReference,
    dataset_drift_share: share,
    warnings,
  };
}

interface Settings {
  options: DriftOptions;
  minRows: number;
  psiBins: number;
  psiEpsilon: number;
  histogramBins: number;
}

/** One column of the report: summaries, the skip reasons, the test, PSI and histograms. */
function columnRow(name: string, ref: ReferenceSide, cur: CurrentSide, settings: Settings): ColumnReport {
  const { options, minRows, psiBins, psiEpsilon, histogramBins } = settings;
  const row: ColumnReport = {
    column: name,
    type: ref.type(name) ?? "unknown",
    test: null,
    statistic: null,
    threshold: null,
    drifted: false,
    psi: null,
    reference_histogram: null,
    current_histogram: null,
    n_reference: 0,
    n_current: 0,
    missing_reference: ref.missing(name),
    missing_current: 0,
    invalid_reference: 0,
    invalid_current: 0,
    notes: [],
  };
  if (!cur.has(name)) {
    row.skipped = "column missing in the current data";
    return row;
  }
  const type = ref.type(name);
  const r = type ? ref.summary(name) : null;
  if (!type || !r) {
    row.skipped = "all values missing in the reference";
    return row;
  }
  const c = cur.summary(name, type, r.type === "numeric" && !r.exact ? r : undefined);
  Object.assign(row, {
    n_reference: r.n,
    n_current: c.n,
    missing_reference: r.missing,
    missing_current: c.missing,
    invalid_reference: r.invalid,
    invalid_current: c.invalid,
  });
  for (const [side, s] of [["reference", r], ["current data", c]] as const)
    if (s.invalid > 0)
      row.notes.push(`${plural(s.invalid, "non-numeric value")} in the ${side} treated as missing${s.invalidExamples.length ? ` (e.g. ${s.invalidExamples.map((e) => `'${e}'`).join(", ")})` : ""}`);
  if (r.n > 0 && c.n > 0) {
    const h = histograms(r, c, histogramBins);
    row.reference_histogram = h.reference;
    row.current_histogram = h.current;
  }
  const none = (side: string, x: ColumnSummary) =>
    x.invalid > 0 ? `no valid value in the ${side}: ${plural(x.invalid, "non-numeric value")}, ${x.missing} missing` : `all values missing in the ${side}`;
  if (r.n === 0) {
    row.skipped = ref.rows === 0 ? `not enough data: the reference has 0 rows, need at least ${minRows}` : none("reference", r);
    return row;
  }
  if (c.n === 0) {
    row.skipped = cur.rows === 0 ? `not enough data: 0 rows, need at least ${minRows}` : none("current data", c);
    return row;
  }
  if (r.n < minRows) {
    row.skipped = `not enough data: the reference has ${plural(r.n, "row")} with values, need at least ${minRows}`;
    return row;
  }
  if (c.n < minRows) {
    row.skipped = `not enough data: ${plural(c.n, "row")} with values in the current data, need at least ${minRows}`;
    return row;
  }

  const per = options.perColumn?.[name];
  let testName = per?.test ?? options.test;
  if (!testName) {
    const sel = selectTest(r, c, options.smallReferenceRows ?? DEFAULTS.smallReferenceRows);
    testName = sel.test;
    row.notes.push(`auto-selected: ${sel.reason}`);
  }
  const test = DRIFT_TESTS[testName];
  row.test = test.name;
  const why = test.unsupported(r, c);
  if (why) {
    row.skipped = why;
    return row;
  }
  let binned: Binned | null = null;
  const ctx: TestContext = {
    psiBins,
    psiEpsilon,
    jensenShannonBase: options.jensenShannonBase,
    binned: () => (binned ??= binnedCounts(r, c, psiBins)),
  };
  const out = test.compute(r, c, ctx);
  const threshold = per?.threshold ?? options.threshold ?? options.thresholds?.[test.name] ?? test.defaultThreshold;
  row.statistic = out.statistic;
  if (out.p_value !== undefined) row.p_value = out.p_value;
  row.threshold = threshold;
  row.drifted = isDrifted(test, out, threshold);
  const b = ctx.binned();
  row.psi = test.name === "psi" ? out.statistic : populationStabilityIndex(b.reference, b.current, psiEpsilon);
  if (out.notes) row.notes.push(...out.notes);
  if (r.type === "numeric" && c.type === "numeric" && r.min === r.max && test.name !== "ks" && test.name !== "z")
    row.notes.push(r.min === c.min && c.min === c.max ? `constant column: both sides hold only ${r.min}` : `the reference is constant (${r.min})`);
  return row;
}

function rowCount(cols: readonly ColumnInput[]): number {
  let n = 0;
  for (const c of cols) n = Math.max(n, c.values.length);
  return n;
}

/** Current data given as whole columns: each column summarised exactly, when its turn comes. */
function rawCurrent(current: ColumnsInput): CurrentSide {
  const cols = new Map(listColumns(current).map((c) => [c.name, c]));
  const rows = rowCount([...cols.values()]);
  const started = new Map<string, NumericAccumulator | CategoricalAccumulator>();
  const start = (name: string, type: ColumnType, sort: boolean) => {
    let acc = started.get(name);
    if (!acc) {
      const col = cols.get(name)!;
      acc = type === "numeric" ? new NumericAccumulator() : new CategoricalAccumulator();
      feed(acc, col.values, col.invalid);
      started.set(name, acc);
    }
    if (sort && acc instanceof NumericAccumulator) acc.prepare();
    return acc;
  };
  return {
    names: [...cols.keys()],
    rows,
    has: (name) => cols.has(name),
    prepare: (name, type) => void start(name, type, true),
    summary(name, type, against) {
      const acc = start(name, type, false);
      const s = against && acc instanceof NumericAccumulator ? acc.summaryAgainst(against.dist) : acc.summary();
      // Only a column or two are in flight: the rest are released as soon as they are used.
      started.delete(name);
      const col = cols.get(name)!;
      return col.values.length < rows ? { ...s, missing: s.missing + rows - col.values.length } : s;
    },
  };
}

function windowCurrent(w: CurrentWindow): CurrentSide {
  return {
    names: w.columnNames,
    rows: w.rows,
    has: (name) => w.has(name),
    prepare: (name) => w.prepare(name),
    summary(name, _type, against) {
      const s = w.summary(name, against?.dist);
      if (!s) throw new Error(`column '${name}' has no summary in the window`);
      return s;
    },
  };
}

/**
 * Exact report from raw reference and current columns (no sketch): the path used when the
 * training data is at hand, and the one that matches SciPy value for value.
 */
export function compareColumns(reference: ColumnsInput, current: ColumnsInput, options: DriftOptions = {}): DriftReport {
  const cols = listColumns(reference);
  const byName = new Map(cols.map((c) => [c.name, c]));
  const rows = rowCount(cols);
  const types = new Map<string, ColumnType | null>();
  const typeOf = (name: string) => {
    if (!types.has(name)) {
      const c = byName.get(name)!;
      types.set(name, options.types?.[name] ?? c.type ?? inferType(c.values));
    }
    return types.get(name)!;
  };
  const side: ReferenceSide = {
    names: cols.map((c) => c.name),
    rows,
    type: typeOf,
    sketched: () => false,
    summary(name) {
      const type = typeOf(name);
      if (!type) return null;
      const c = byName.get(name)!;
      const acc = type === "numeric" ? new NumericAccumulator() : new CategoricalAccumulator();
      feed(acc, c.values, c.invalid);
      const s = acc.summary();
      return c.values.length < rows ? { ...s, missing: s.missing + rows - c.values.length } : s;
    },
    missing: (name) => (typeOf(name) ? 0 : rows),
  };
  return report(side, rawCurrent(current), options);
}

/** Report of current data (whole columns or a CurrentWindow fed in chunks) against a stored profile. */
export function compareToProfile(profile: ReferenceProfile, current: ColumnsInput | CurrentWindow, options: DriftOptions = {}): DriftReport {
  const byName = new Map(profile.columns.map((c) => [c.name, c]));
  const side: ReferenceSide = {
    names: profile.columns.map((c) => c.name),
    rows: profile.n_rows,
    type: (name) => {
      const t = byName.get(name)!.type;
      return t === "unknown" ? null : t;
    },
    sketched: (name) => {
      const c = byName.get(name)!;
      return c.type === "numeric" && c.sample.kind === "kll";
    },
    summary: (name) => profileSummary(byName.get(name)!),
    missing: (name) => byName.get(name)!.missing,
  };
  return report(side, current instanceof CurrentWindow ? windowCurrent(current) : rawCurrent(current), options);
}
