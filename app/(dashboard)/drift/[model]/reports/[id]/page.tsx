import type { Metadata } from "next";
import Link from "next/link";
import { requirePageActor } from "@/app/_server/actor";
import { orNotFound } from "@/app/_server/not-found";
import { HistogramOverlay } from "@/components/drift/histogram-overlay";
import { Sparkline } from "@/components/drift/sparkline";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { formatCount, formatPercent } from "@/components/ui/format";
import { PageHeader } from "@/components/ui/page-header";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { LocalTime } from "@/components/ui/time";
import { PREDICTION_COLUMN, type ColumnReport } from "@/lib/drift";
import { getDriftReport } from "@/lib/monitoring";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Drift report" };

type Props = { params: Promise<{ model: string; id: string }>; searchParams: Promise<{ column?: string }> };

const num = (v: number | null | undefined, digits = 4) => (v === null || v === undefined ? "–" : Math.abs(v) !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5) ? v.toExponential(2) : Number(v.toPrecision(digits)).toString());

function ColumnRow({ c, href, selected }: { c: ColumnReport; href: string; selected: boolean }) {
  return (
    <Tr data-testid="column-row" className={selected ? "bg-indigo-50/60 dark:bg-indigo-500/10" : undefined}>
      <Td className="font-medium">
        <Link className="link" href={href} scroll={false}>
          {c.column === PREDICTION_COLUMN ? "predictions" : c.column}
        </Link>
      </Td>
      <Td className="text-xs">{c.type}</Td>
      <Td className="font-mono text-xs">{c.test ?? "–"}</Td>
      <Td align="right" className="tabular-nums">{num(c.statistic)}</Td>
      <Td align="right" className="tabular-nums">{c.p_value === undefined ? "–" : num(c.p_value, 3)}</Td>
      <Td align="right" className="tabular-nums">{num(c.threshold, 3)}</Td>
      <Td>{c.skipped ? <Badge title={c.skipped}>skipped</Badge> : c.drifted ? <Badge tone="red">drift</Badge> : <Badge tone="green">ok</Badge>}</Td>
      <Td align="right" className="tabular-nums">{num(c.psi, 3)}</Td>
      <Td>
        <Sparkline reference={c.reference_histogram} current={c.current_histogram} label={`${c.column}: reference bars, current line`} />
      </Td>
    </Tr>
  );
}

export default async function DriftReportPage({ params, searchParams }: Props) {
  await requirePageActor();
  const { model: rawModel, id } = await params;
  const name = decodeURIComponent(rawModel);
  const report = await orNotFound(getDriftReport(name, id));
  const { report: r, prediction, performance: perf } = report.result;
  const wanted = (await searchParams).column;
  const all = prediction ? [...r.columns, prediction] : r.columns;
  const selected = all.find((c) => c.column === wanted) ?? r.columns.find((c) => c.drifted) ?? r.columns[0] ?? null;
  const base = `/drift/${encodeURIComponent(name)}/reports/${id}`;

  return (
    <>
      <PageHeader
        title={`Drift report · ${name} v${report.version ?? "?"}`}
        description={
          <>
            <LocalTime value={report.created_at} /> · window <LocalTime value={report.window_start} seconds={false} /> – <LocalTime value={report.window_end} seconds={false} /> ·{" "}
            {formatCount(report.n_current)} predictions against {formatCount(report.n_reference)} training rows ·{" "}
            <Link className="link" href={`/drift/${encodeURIComponent(name)}`}>
              all reports
            </Link>
          </>
        }
      />

      <div className="mb-6 grid gap-4 sm:grid-cols-3">
        <div className="card p-4">
          <div className="text-sm text-zinc-500 dark:text-zinc-400">Dataset drift</div>
          <div className="mt-1 text-xl font-semibold" data-testid="dataset-verdict">
            {r.dataset_drift ? "Drift" : "No drift"}
          </div>
          <div className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
            {r.n_drifted} of {r.n_tested} columns drifted ({formatPercent(r.share_drifted)}); threshold {formatPercent(r.dataset_drift_share)}
          </div>
        </div>
        <div className="card p-4">
          <div className="text-sm text-zinc-500 dark:text-zinc-400">Prediction drift</div>
          <div className="mt-1 text-xl font-semibold">{prediction ? (prediction.skipped ? "Not tested" : prediction.drifted ? "Drift" : "No drift") : "–"}</div>
          <div className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
            {prediction?.skipped ?? (prediction ? `${prediction.test} ${num(prediction.statistic)}${prediction.p_value !== undefined ? `, p = ${num(prediction.p_value, 3)}` : ""}` : "the profile has no predictions")}
          </div>
        </div>
        <div className="card p-4">
          <div className="text-sm text-zinc-500 dark:text-zinc-400">Performance ({perf?.metric ?? "–"})</div>
          <div className="mt-1 text-xl font-semibold">{!perf || perf.skipped ? "Not measured" : perf.drifted ? "Dropped" : "Holding"}</div>
          <div className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
            {!perf
              ? "–"
              : perf.skipped
                ? perf.skipped
                : `window ${num(perf.window, 3)} [${num(perf.window_ci_low, 3)}, ${num(perf.window_ci_high, 3)}] vs ${num(perf.reference, 3)} at training; drop ${num(perf.drop, 3)} [${num(perf.drop_ci_low, 3)}, ${num(perf.drop_ci_high, 3)}], bound ${perf.max_drop} (${formatCount(perf.n_labels)} labels)`}
          </div>
        </div>
      </div>

      {r.warnings.map((w) => (
        <Alert key={w} tone="warning" className="mb-3">
          {w}
        </Alert>
      ))}

      <Table caption="Per-column statistics">
        <THead>
          <Th>Column</Th>
          <Th>Type</Th>
          <Th>Test</Th>
          <Th align="right">Statistic</Th>
          <Th align="right">p-value</Th>
          <Th align="right">Threshold</Th>
          <Th>Drift</Th>
          <Th align="right">PSI</Th>
          <Th>Distribution</Th>
        </THead>
        <TBody>
          {all.map((c) => (
            <ColumnRow key={c.column} c={c} href={`${base}?column=${encodeURIComponent(c.column)}`} selected={c.column === selected?.column} />
          ))}
        </TBody>
      </Table>

      {selected && (
        <section aria-labelledby="feature-heading" className="card mt-6 p-4">
          <h2 id="feature-heading" className="mb-2 text-sm font-semibold">
            {selected.column === PREDICTION_COLUMN ? "Predictions" : selected.column}: reference and current
          </h2>
          <HistogramOverlay reference={selected.reference_histogram} current={selected.current_histogram} column={selected.column} />
          <dl className="mt-3 grid grid-cols-2 gap-x-6 gap-y-1 text-xs sm:grid-cols-4">
            <dt className="text-zinc-500">present (ref / cur)</dt>
            <dd>
              {formatCount(selected.n_reference)} / {formatCount(selected.n_current)}
            </dd>
            <dt className="text-zinc-500">missing (ref / cur)</dt>
            <dd>
              {formatCount(selected.missing_reference)} / {formatCount(selected.missing_current)}
            </dd>
            <dt className="text-zinc-500">invalid (ref / cur)</dt>
            <dd>
              {formatCount(selected.invalid_reference)} / {formatCount(selected.invalid_current)}
            </dd>
          </dl>
          {(selected.skipped || selected.notes.length > 0) && (
            <ul className="mt-3 list-disc pl-5 text-xs text-zinc-600 dark:text-zinc-300">
              {selected.skipped && <li>Skipped: {selected.skipped}</li>}
              {selected.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          )}
        </section>
      )}
    </>
  );
}
