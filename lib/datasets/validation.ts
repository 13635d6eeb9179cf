// The validation report: what a person should know about the data before training on it.
// Findings are listed as issues; none of them refuses the upload (a bad target is refused later by
// training, with the same words).
import type { ColumnAccumulator } from "./column-stats";
import type { IngestResult } from "./ingest";
import { topValues } from "./profile";
import type { ColumnProfile, ColumnSchema, TargetReport, ValidationIssue, ValidationReport } from "./types";

/** An integer target with at most this many distinct values is read as classes. */
export const MAX_INTEGER_CLASSES = 20;
/** Largest over smallest class count above which the target is called imbalanced. */
export const IMBALANCE_WARNING_RATIO = 10;
/** Share of missing values in a column above which a warning (not just a count) is raised. */
export const MISSING_WARNING_SHARE = 0.2;
/** Classes listed for a target at most (a text target can have a class per row). */
export const MAX_CLASSES = 1000;

const pct = (x: number) => `${(100 * x).toFixed(x < 0.01 ? 2 : 1)}%`;

function targetReport(acc: ColumnAccumulator, column: ColumnSchema, profile: ColumnProfile, rowCount: number, issues: ValidationIssue[]): TargetReport {
  const name = column.name;
  let task: TargetReport["task"];
  switch (column.type) {
    case "categorical":
    case "boolean":
    case "text":
      task = "classification";
      break;
    case "integer":
      task = acc.distinct() <= MAX_INTEGER_CLASSES ? "classification" : "regression";
      break;
    case "numeric":
      task = "regression";
      break;
    case "datetime":
      task = null;
      issues.push({ severity: "error", code: "target_unsupported_type", column: name, message: `Target '${name}' holds dates; a target must be classes or numbers` });
      break;
  }
  if (acc.missing > 0) {
    issues.push({
      severity: "warning",
      code: "target_missing_values",
      column: name,
      message: `Target '${name}' is missing in ${acc.missing} row${acc.missing === 1 ? "" : "s"} (${pct(acc.missing / rowCount)}); training drops them`,
    });
  }
  let classes: TargetReport["classes"] = null;
  let imbalanceRatio: number | null = null;
  if (task === "classification") {
    const counts = profile.type === "boolean" ? profile.values.filter((v) => v.count > 0) : topValues(acc, MAX_CLASSES + 1);
    const truncated = counts.length > MAX_CLASSES;
    if (truncated) counts.length = MAX_CLASSES;
    const total = acc.count;
    classes = counts.map((c) => ({ value: c.value, count: c.count, fraction: total ? c.count / total : 0 }));
    if (classes.length === 1) {
      issues.push({ severity: "error", code: "target_single_class", column: name, message: `Target '${name}' has a single class ('${classes[0]!.value}'); a classifier needs at least two` });
    } else if (classes.length > 1 && !truncated) {
      const max = classes[0]!.count;
      const min = classes[classes.length - 1]!.count;
      imbalanceRatio = min > 0 ? max / min : null;
      if (imbalanceRatio !== null && imbalanceRatio > IMBALANCE_WARNING_RATIO) {
        issues.push({
          severity: "warning",
          code: "target_imbalanced",
          column: name,
          message: `Target '${name}' is imbalanced: '${classes[0]!.value}' has ${max} rows, '${classes[classes.length - 1]!.value}' ${min} (ratio ${imbalanceRatio.toFixed(1)}); prefer balanced accuracy or F1`,
        });
      }
    }
  } else if (task === "regression" && acc.count > 0 && acc.min === acc.max) {
    issues.push({ severity: "error", code: "target_constant", column: name, message: `Target '${name}' is constant (${acc.min}); there is nothing to learn` });
  }
  return { column: name, type: column.type, task, missing: acc.missing, classes, classesExact: acc.distinctExact, imbalanceRatio };
}

export function buildValidation(
  ingest: IngestResult,
  schema: ColumnSchema[],
  profiles: ColumnProfile[],
  target?: string | null,
): ValidationReport {
  const rowCount = ingest.rowCount;
  const issues: ValidationIssue[] = [];
  const missing: ValidationReport["missing"] = [];
  const allMissingColumns: string[] = [];
  const constantColumns: string[] = [];
  const outliers: ValidationReport["outliers"] = [];

  ingest.columns.forEach((acc, i) => {
    const col = schema[i]!;
    const prof = profiles[i]!;
    if (acc.missing > 0) {
      const fraction = acc.missing / rowCount;
      missing.push({ column: col.name, count: acc.missing, fraction });
      if (acc.count === 0) {
        allMissingColumns.push(col.name);
        issues.push({ severity: "error", code: "all_missing", column: col.name, message: `Column '${col.name}' has no values at all; drop it` });
      } else if (fraction > MISSING_WARNING_SHARE) {
        issues.push({ severity: "warning", code: "missing_values", column: col.name, message: `Column '${col.name}' is missing in ${pct(fraction)} of rows` });
      }
    }
    if (acc.count > 0 && prof.distinct === 1) {
      constantColumns.push(col.name);
      issues.push({ severity: "warning", code: "constant", column: col.name, message: `Column '${col.name}' has a single value; it carries no information` });
    }
    if (prof.type === "numeric" || prof.type === "integer") {
      if (prof.q25 === null || prof.q75 === null) return;
      const iqr = prof.q75 - prof.q25;
      const lowerFence = prof.q25 - 1.5 * iqr;
      const upperFence = prof.q75 + 1.5 * iqr;
      const sample = acc.numbers();
      let n = 0;
      for (let k = 0; k < sample.length; k++) {
        const x = sample[k]!;
        if (x < lowerFence || x > upperFence) n++;
      }
      const exact = acc.sampleComplete;
      const count = exact ? n : Math.round((n / sample.length) * acc.count);
      if (count > 0) {
        outliers.push({ column: col.name, count, fraction: count / acc.count, lowerFence, upperFence, exact });
        if (count / acc.count > 0.05) {
          issues.push({
            severity: "info",
            code: "outliers",
            column: col.name,
            message: `Column '${col.name}' has ${exact ? "" : "about "}${count} value${count === 1 ? "" : "s"} outside [${fmt(lowerFence)}, ${fmt(upperFence)}] (1.5 IQR rule)`,
          });
        }
      }
    }
  });

  const dupCount = ingest.duplicateRows.count;
  if (dupCount > 0) {
    issues.push({
      severity: "warning",
      code: "duplicate_rows",
      column: undefined,
      message: `${ingest.duplicateRows.exact ? "" : "About "}${dupCount} row${dupCount === 1 ? " repeats" : "s repeat"} an earlier row (${pct(dupCount / rowCount)})`,
    });
  }

  let targetReportValue: TargetReport | null = null;
  if (target) {
    const i = schema.findIndex((c) => c.name === target);
    // The caller checks that the target exists before building the report.
    if (i >= 0) targetReportValue = targetReport(ingest.columns[i]!, schema[i]!, profiles[i]!, rowCount, issues);
  }

  return {
    rowCount,
    columnCount: schema.length,
    missing,
    allMissingColumns,
    constantColumns,
    duplicateRows: { count: dupCount, fraction: dupCount / rowCount, exact: ingest.duplicateRows.exact },
    outliers,
    target: targetReportValue,
    issues: issues.map(({ column, ...rest }) => (column === undefined ? rest : { ...rest, column })),
  };
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(4);
}
