"use client";

import clsx from "clsx";
import { Suspense, use, useId, useMemo, useState } from "react";
import { MetricChart, type ChartSeries } from "./metric-chart";

export interface CompareRun {
  id: string;
  name: string;
  color: string;
}

/** runId → [step, value] pairs of one metric. */
export type KeyHistories = Record<string, [number, number][]>;

function ChartSkeleton({ title }: { title: string }) {
  return (
    <div className="card p-4" aria-busy="true">
      <div className="mb-2 font-mono text-sm font-medium">{title}</div>
      <div className="h-60 animate-pulse rounded bg-zinc-100/70 dark:bg-zinc-800/50" />
    </div>
  );
}

/** One chart whose points are still on their way from the server. */
function StreamedChart({ title, histories, runs, hidden }: { title: string; histories: Promise<KeyHistories>; runs: CompareRun[]; hidden: Set<string> }) {
  const byRun = use(histories);
  // Series objects are rebuilt only when visibility changes, so the chart memoises across renders.
  const series = useMemo<ChartSeries[]>(
    () =>
      runs
        .filter((r) => !hidden.has(r.id))
        .map((r) => ({ id: r.id, name: r.name, color: r.color, points: byRun[r.id] ?? [] }))
        .filter((s) => s.points.length > 0),
    [byRun, runs, hidden],
  );
  return <MetricChart title={title} series={series} />;
}

/**
 * Metric curves of the compared runs, one chart per metric key, with one legend for all charts:
 * clicking a run there hides or shows its lines everywhere. Each chart renders as soon as its
 * downsampled histories arrive.
 */
export function CompareCurves({
  runs,
  metricKeys,
  histories,
  pointsPerSeries,
}: {
  runs: CompareRun[];
  metricKeys: string[];
  /** key → its histories, streamed from the server. */
  histories: Record<string, Promise<KeyHistories>>;
  pointsPerSeries: number;
}) {
  const searchId = useId();
  const [hidden, setHidden] = useState<Set<string>>(() => new Set());
  const [keyFilter, setKeyFilter] = useState("");

  const toggle = (id: string) =>
    setHidden((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const needle = keyFilter.trim().toLowerCase();
  const keys = needle ? metricKeys.filter((k) => k.toLowerCase().includes(needle)) : metricKeys;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <ul aria-label="Runs in the charts" className="flex max-h-40 flex-1 flex-wrap gap-1.5 overflow-y-auto">
          {runs.map((r) => {
            const off = hidden.has(r.id);
            return (
              <li key={r.id}>
                <button
                  type="button"
                  data-testid="legend-entry"
                  data-run-id={r.id}
                  aria-pressed={!off}
                  title={off ? `Show ${r.name}` : `Hide ${r.name}`}
                  onClick={() => toggle(r.id)}
                  className={clsx(
                    "inline-flex items-center gap-1.5 rounded-full border px-2.5 py-1 text-xs font-medium",
                    off
                      ? "border-dashed border-zinc-300 text-zinc-400 dark:border-zinc-700 dark:text-zinc-500"
                      : "border-zinc-200 bg-white text-zinc-700 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-200",
                  )}
                >
                  <span className="size-2.5 rounded-full" style={{ background: off ? "transparent" : r.color, border: `2px solid ${r.color}` }} aria-hidden="true" />
                  {r.name}
                </button>
              </li>
            );
          })}
        </ul>
        <div className="flex items-center gap-2">
          {hidden.size > 0 && (
            <button type="button" className="btn-secondary py-1 text-xs" onClick={() => setHidden(new Set())}>
              Show all runs
            </button>
          )}
          {metricKeys.length > 4 && (
            <>
              <label htmlFor={searchId} className="sr-only">
                Find a metric
              </label>
              <input
                id={searchId}
                type="search"
                value={keyFilter}
                onChange={(e) => setKeyFilter(e.target.value)}
                placeholder="Find a metric…"
                className="input w-48 py-1"
              />
            </>
          )}
        </div>
      </div>
      <p className="text-xs text-zinc-500 dark:text-zinc-400">
        Long histories are downsampled on the server to at most {pointsPerSeries} points per run (a regular step sample reduced with largest-triangle-three-buckets), keeping
        their shape; NaN and infinite values are left out of the lines.
      </p>
      {keys.length === 0 ? (
        <p className="text-sm text-zinc-500 dark:text-zinc-400">No metric matches.</p>
      ) : (
        <div className="grid gap-4 lg:grid-cols-2">
          {keys.map((key) => (
            <Suspense key={key} fallback={<ChartSkeleton title={key} />}>
              <StreamedChart title={key} histories={histories[key]!} runs={runs} hidden={hidden} />
            </Suspense>
          ))}
        </div>
      )}
    </div>
  );
}
