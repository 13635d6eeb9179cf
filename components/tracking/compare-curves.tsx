"use client";

import clsx from "clsx";
import { useId, useMemo, useState } from "react";
import { MetricChart, type ChartSeries } from "./metric-chart";

export interface CompareRun {
  id: string;
  name: string;
  color: string;
}

/**
 * Metric curves of the compared runs, one chart per metric key, with one legend for all charts:
 * clicking a run there hides or shows its lines everywhere.
 */
export function CompareCurves({
  runs,
  metricKeys,
  histories,
  pointsPerSeries,
}: {
  runs: CompareRun[];
  metricKeys: string[];
  /** runId → key → [step, value] pairs. */
  histories: Record<string, Record<string, [number, number][]>>;
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

  // Series objects are rebuilt only when visibility changes, so charts memoise across renders.
  const seriesByKey = useMemo(() => {
    const out: Record<string, ChartSeries[]> = {};
    for (const key of metricKeys) {
      out[key] = runs
        .filter((r) => !hidden.has(r.id))
        .map((r) => ({ id: r.id, name: r.name, color: r.color, points: histories[r.id]?.[key] ?? [] }))
        .filter((s) => s.points.length > 0);
    }
    return out;
  }, [runs, metricKeys, histories, hidden]);

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
            <MetricChart key={key} title={key} series={seriesByKey[key] ?? []} />
          ))}
        </div>
      )}
    </div>
  );
}
