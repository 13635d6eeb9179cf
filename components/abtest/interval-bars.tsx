// Per-arm estimates as horizontal interval bars on one shared scale: the dot is the estimate,
// the bar its 95% interval. Plain markup, so it reads in any width and with a screen reader.
import type { MetricKind } from "@/lib/abtest/schemas";
import { formatValue } from "@/lib/abtest/verdict";

export interface IntervalRow {
  name: string;
  label: string;
  mean: number | null;
  low: number | null;
  high: number | null;
  highlight?: boolean;
}

export function IntervalBars({ rows, kind }: { rows: IntervalRow[]; kind: MetricKind }) {
  const values = rows.flatMap((r) => [r.low, r.high, r.mean]).filter((v): v is number => v !== null && Number.isFinite(v));
  if (values.length === 0) return <p className="text-sm text-zinc-500 dark:text-zinc-400">No outcomes yet.</p>;
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (kind !== "mean") {
    lo = Math.max(0, lo);
    hi = Math.min(1, hi);
  }
  const pad = (hi - lo) * 0.08 || Math.abs(hi) * 0.05 || 0.01;
  lo -= pad;
  hi += pad;
  const pos = (v: number) => `${(((v - lo) / (hi - lo)) * 100).toFixed(2)}%`;
  return (
    <ul className="space-y-3" aria-label="Estimates with 95% intervals">
      {rows.map((r) => (
        <li key={r.name} className="grid grid-cols-[12rem_1fr_12rem] items-center gap-3 text-sm" data-testid={`interval-${r.name}`}>
          <span className="truncate font-medium" title={r.label}>
            {r.label}
          </span>
          <div className="relative h-6 rounded bg-zinc-100 dark:bg-zinc-800">
            {r.low !== null && r.high !== null && (
              <div
                className={`absolute top-2 h-2 rounded ${r.highlight ? "bg-emerald-500/70" : "bg-indigo-500/60"}`}
                style={{ left: pos(r.low), width: `calc(${pos(r.high)} - ${pos(r.low)})` }}
              />
            )}
            {r.mean !== null && (
              <div
                className={`absolute top-1 h-4 w-1 -translate-x-1/2 rounded ${r.highlight ? "bg-emerald-700 dark:bg-emerald-300" : "bg-indigo-700 dark:bg-indigo-300"}`}
                style={{ left: pos(r.mean) }}
              />
            )}
          </div>
          <span className="text-right tabular-nums text-zinc-600 dark:text-zinc-300">
            {formatValue(kind, r.mean)}
            {r.low !== null && r.high !== null && (
              <span className="ml-1 text-xs text-zinc-500 dark:text-zinc-400">
                [{formatValue(kind, r.low)}, {formatValue(kind, r.high)}]
              </span>
            )}
          </span>
        </li>
      ))}
    </ul>
  );
}
