"use client";

import clsx from "clsx";
import Link from "next/link";
import { useId, useState } from "react";
import { useHydrated } from "@/components/ui/use-hydrated";
import { formatMetric } from "./format";

export interface ParamsCompareRun {
  id: string;
  name: string;
  color: string;
  params: Record<string, string>;
  /** Latest value of each metric. */
  metrics: Record<string, number>;
}

const differs = (values: (string | undefined)[]) => new Set(values.map((v) => v ?? "\u0000missing")).size > 1;

/** Params (and latest metrics) of the compared runs side by side; "Only differences" hides equal rows. */
export function ParamsCompare({ runs, paramKeys, metricKeys }: { runs: ParamsCompareRun[]; paramKeys: string[]; metricKeys: string[] }) {
  const toggleId = useId();
  const [onlyDiff, setOnlyDiff] = useState(false);
  const hydrated = useHydrated();

  const paramRows = paramKeys
    .map((key) => {
      const values = runs.map((r) => r.params[key]);
      return { key, values, diff: differs(values) };
    })
    .filter((r) => !onlyDiff || r.diff);
  const metricRows = metricKeys
    .map((key) => {
      const values = runs.map((r) => (key in r.metrics ? formatMetric(r.metrics[key]) : undefined));
      return { key, values, diff: differs(values) };
    })
    .filter((r) => !onlyDiff || r.diff);
  const differing = paramKeys.filter((k) => differs(runs.map((r) => r.params[k]))).length;

  const row = (kind: "param" | "metric", r: { key: string; values: (string | undefined)[]; diff: boolean }) => (
    <tr
      key={`${kind}:${r.key}`}
      data-testid={`${kind}-row`}
      data-key={r.key}
      data-differs={r.diff ? "true" : "false"}
      className={clsx(r.diff && "bg-amber-50/60 dark:bg-amber-500/5")}
    >
      <th
        scope="row"
        className={clsx(
          "sticky left-0 z-10 max-w-56 truncate border-l-2 px-3 py-2 text-left font-mono text-xs font-medium",
          r.diff ? "border-amber-400 bg-amber-50 dark:bg-zinc-900" : "border-transparent bg-white dark:bg-zinc-900",
        )}
        title={r.key}
      >
        {r.key}
      </th>
      {r.values.map((v, i) => (
        <td key={runs[i]!.id} className={clsx("max-w-48 truncate px-3 py-2 font-mono text-xs", kind === "metric" && "tabular-nums")} title={v}>
          {v ?? <span className="text-zinc-300 dark:text-zinc-600">–</span>}
        </td>
      ))}
    </tr>
  );

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm text-zinc-500 dark:text-zinc-400">
          {differing === 0 ? "All params are equal." : `${differing} of ${paramKeys.length} params differ (highlighted).`}
        </p>
        <label htmlFor={toggleId} className="inline-flex cursor-pointer items-center gap-2 text-sm font-medium">
          <input id={toggleId} type="checkbox" checked={onlyDiff} onChange={(e) => setOnlyDiff(e.target.checked)} disabled={!hydrated} className="size-4 accent-indigo-600" />
          Only differences
        </label>
      </div>
      <div className="card relative overflow-x-auto">
        <table className="min-w-full text-sm">
          <caption className="sr-only">Params and latest metrics of the compared runs</caption>
          <thead className="bg-zinc-50/80 dark:bg-zinc-900/60">
            <tr className="border-b border-zinc-200 dark:border-zinc-800">
              <th scope="col" className="sticky left-0 z-10 bg-zinc-50 px-3 py-2 text-left text-xs font-medium uppercase tracking-wide text-zinc-500 dark:bg-zinc-900 dark:text-zinc-400">
                Run
              </th>
              {runs.map((r) => (
                <th key={r.id} scope="col" className="px-3 py-2 text-left text-xs font-medium whitespace-nowrap">
                  <span className="inline-flex items-center gap-1.5">
                    <span className="size-2.5 shrink-0 rounded-full" style={{ background: r.color }} aria-hidden="true" />
                    <Link href={`/runs/${r.id}`} className="link max-w-40 truncate">
                      {r.name}
                    </Link>
                  </span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800/80">
            <tr>
              <th colSpan={runs.length + 1} scope="colgroup" className="bg-zinc-50/50 px-3 pt-3 pb-1 text-left text-[11px] font-semibold uppercase tracking-wide text-zinc-400 dark:bg-zinc-900/40 dark:text-zinc-500">
                Params
              </th>
            </tr>
            {paramRows.length === 0 ? (
              <tr>
                <td colSpan={runs.length + 1} className="px-3 py-3 text-sm text-zinc-500 dark:text-zinc-400">
                  {paramKeys.length === 0 ? "No params logged." : "No param differs."}
                </td>
              </tr>
            ) : (
              paramRows.map((r) => row("param", r))
            )}
            {metricKeys.length > 0 && (
              <tr>
                <th colSpan={runs.length + 1} scope="colgroup" className="bg-zinc-50/50 px-3 pt-3 pb-1 text-left text-[11px] font-semibold uppercase tracking-wide text-zinc-400 dark:bg-zinc-900/40 dark:text-zinc-500">
                  Metrics (latest)
                </th>
              </tr>
            )}
            {metricRows.map((r) => row("metric", r))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
