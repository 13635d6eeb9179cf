// Presentation helpers that stay plain text: the compact JSON of `mlops drift --json` and a
// fixed-width table for terminals and logs. The dashboard renders the full report itself.

import type { DriftReport, TestName } from "./types";

export interface ReportSummary {
  columns: {
    column: string;
    type: string;
    test: TestName | null;
    statistic: number | null;
    p_value?: number;
    threshold: number | null;
    drifted: boolean;
    psi: number | null;
    skipped?: string;
  }[];
  share_drifted: number;
  dataset_drift: boolean;
  n_reference: number;
  n_current: number;
  missing_in_current: string[];
  missing_in_reference: string[];
  warnings: string[];
}

/** The report without histograms and notes: what `--json` prints. Infinite statistics become null in JSON. */
export function reportSummary(r: DriftReport): ReportSummary {
  return {
    columns: r.columns.map((c) => ({
      column: c.column,
      type: c.type,
      test: c.test,
      statistic: c.statistic,
      ...(c.p_value !== undefined ? { p_value: c.p_value } : {}),
      threshold: c.threshold,
      drifted: c.drifted,
      psi: c.psi,
      ...(c.skipped ? { skipped: c.skipped } : {}),
    })),
    share_drifted: r.share_drifted,
    dataset_drift: r.dataset_drift,
    n_reference: r.n_reference,
    n_current: r.n_current,
    missing_in_current: r.missing_in_current,
    missing_in_reference: r.missing_in_reference,
    warnings: r.warnings,
  };
}

function num(x: number | null | undefined): string {
  if (x === null || x === undefined) return "-";
  if (x === Infinity) return "inf";
  if (x === 0) return "0";
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e6 ? x.toFixed(4).replace(/\.?0+$/, "") : x.toExponential(2);
}

/** A readable table: one line per column, then the verdict, warnings and notes. */
export function formatReportTable(r: DriftReport, { notes = true }: { notes?: boolean } = {}): string {
  const head = ["column", "type", "test", "statistic", "p-value", "threshold", "drift", "psi"];
  const rows = r.columns.map((c) => [
    c.column,
    c.type,
    c.test ?? "-",
    num(c.statistic),
    c.p_value === undefined ? "-" : num(c.p_value),
    num(c.threshold),
    c.skipped ? "skipped" : c.drifted ? "DRIFT" : "ok",
    num(c.psi),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i >= 3 && i !== 6 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join("  ").trimEnd();
  const out = [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line), ""];
  out.push(
    `Drifted columns: ${r.n_drifted} of ${r.n_tested} tested (${(r.share_drifted * 100).toFixed(1)}%); ` +
      `dataset drift: ${r.dataset_drift ? "YES" : "no"} (threshold ${(r.dataset_drift_share * 100).toFixed(0)}% of columns)`,
  );
  out.push(`Rows: ${r.n_reference} reference, ${r.n_current} current.`);
  for (const w of r.warnings) out.push(`warning: ${w}`);
  const skipped = r.columns.filter((c) => c.skipped);
  if (skipped.length) {
    out.push("Skipped:");
    for (const c of skipped) out.push(`  ${c.column}: ${c.skipped}`);
  }
  if (notes) {
    const noted = r.columns.filter((c) => c.notes.length);
    if (noted.length) {
      out.push("Notes:");
      for (const c of noted) for (const n of c.notes) out.push(`  ${c.column}: ${n}`);
    }
  }
  return out.join("\n");
}
