import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import type { ValidationReport } from "@/lib/datasets/types";

const TONE: Record<string, BadgeTone> = { error: "red", warning: "amber", info: "blue" };
const pct = (f: number) => `${(f * 100).toFixed(1)}%`;

/** The validation report of a version: issues first, then the details behind them. */
export function ValidationReportView({ report }: { report: ValidationReport }) {
  return (
    <div className="space-y-4" data-testid="validation-report">
      {report.issues.length === 0 ? (
        <p className="text-sm text-emerald-700 dark:text-emerald-300">No issues found.</p>
      ) : (
        <ul className="space-y-1.5">
          {report.issues.map((i, n) => (
            <li key={n} className="flex items-start gap-2 text-sm" data-testid="validation-issue">
              <Badge tone={TONE[i.severity] ?? "gray"}>{i.severity}</Badge>
              <span>{i.message}</span>
            </li>
          ))}
        </ul>
      )}
      <dl className="grid gap-3 text-sm sm:grid-cols-3">
        <div className="card p-3">
          <dt className="text-xs text-zinc-500 dark:text-zinc-400">Duplicate rows</dt>
          <dd className="text-lg font-semibold tabular-nums">
            {report.duplicateRows.exact ? "" : "≈"}
            {report.duplicateRows.count} <span className="text-sm font-normal">({pct(report.duplicateRows.fraction)})</span>
          </dd>
        </div>
        <div className="card p-3">
          <dt className="text-xs text-zinc-500 dark:text-zinc-400">Constant columns</dt>
          <dd className="font-medium">{report.constantColumns.length ? report.constantColumns.join(", ") : "none"}</dd>
        </div>
        <div className="card p-3">
          <dt className="text-xs text-zinc-500 dark:text-zinc-400">Columns with no value</dt>
          <dd className="font-medium">{report.allMissingColumns.length ? report.allMissingColumns.join(", ") : "none"}</dd>
        </div>
      </dl>
      {report.target && (
        <div className="card p-3 text-sm">
          <h3 className="font-semibold">
            Target <span className="font-mono">{report.target.column}</span>: {report.target.task ?? "not learnable"}
            {report.target.imbalanceRatio !== null && <span className="ml-2 text-xs font-normal text-zinc-500">imbalance ratio {report.target.imbalanceRatio.toFixed(2)}</span>}
          </h3>
          {report.target.classes && (
            <ul className="mt-2 flex flex-wrap gap-2">
              {report.target.classes.map((c) => (
                <li key={c.value} className="rounded bg-zinc-100 px-2 py-0.5 text-xs dark:bg-zinc-800">
                  {c.value}: {c.count} ({pct(c.fraction)})
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {report.missing.length > 0 && (
        <Table caption="Missing values">
          <THead>
            <Th>Column with missing values</Th>
            <Th align="right">Missing</Th>
            <Th align="right">Share</Th>
          </THead>
          <TBody>
            {report.missing.map((m) => (
              <Tr key={m.column}>
                <Td>{m.column}</Td>
                <Td align="right">{m.count}</Td>
                <Td align="right">{pct(m.fraction)}</Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      )}
      {report.outliers.length > 0 && (
        <Table caption="Outliers">
          <THead>
            <Th>Column with outliers</Th>
            <Th align="right">Outside the fences</Th>
            <Th align="right">Fences (1.5 IQR)</Th>
          </THead>
          <TBody>
            {report.outliers.map((o) => (
              <Tr key={o.column}>
                <Td>{o.column}</Td>
                <Td align="right">
                  {o.count} ({pct(o.fraction)})
                </Td>
                <Td align="right">
                  {Number(o.lowerFence.toPrecision(4))} … {Number(o.upperFence.toPrecision(4))}
                </Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      )}
    </div>
  );
}
