"use client";

import { memo } from "react";
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatMetric } from "./format";

/** One line: points as [step, value] pairs, sorted by step (already downsampled on the server). */
export interface ChartSeries {
  id: string;
  name: string;
  color: string;
  points: [number, number][];
}

type Datum = { step: number; value: number };

/** The point of a series nearest to a step (binary search over the sorted steps). */
function nearest(points: [number, number][], step: number): [number, number] | null {
  if (points.length === 0) return null;
  let lo = 0;
  let hi = points.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid]![0] < step) lo = mid + 1;
    else hi = mid;
  }
  const a = points[lo]!;
  const b = points[lo - 1];
  return b && Math.abs(b[0] - step) < Math.abs(a[0] - step) ? b : a;
}

const MAX_TOOLTIP_ROWS = 10;

function ChartTooltip({ active, label, series }: { active?: boolean; label?: unknown; series: ChartSeries[] }) {
  if (!active || typeof label !== "number") return null;
  const rows = series
    .map((s) => ({ s, p: nearest(s.points, label) }))
    .filter((r): r is { s: ChartSeries; p: [number, number] } => r.p !== null)
    .sort((a, b) => b.p[1] - a.p[1]);
  return (
    <div className="rounded-md border border-zinc-200 bg-white/95 px-3 py-2 text-xs shadow-lg dark:border-zinc-700 dark:bg-zinc-900/95">
      <div className="mb-1 font-medium text-zinc-700 dark:text-zinc-200">step {label}</div>
      <ul className="space-y-0.5">
        {rows.slice(0, MAX_TOOLTIP_ROWS).map(({ s, p }) => (
          <li key={s.id} className="flex items-center gap-2">
            <span className="size-2 shrink-0 rounded-full" style={{ background: s.color }} aria-hidden="true" />
            <span className="max-w-40 truncate text-zinc-600 dark:text-zinc-300">{s.name}</span>
            <span className="ml-auto pl-3 tabular-nums text-zinc-900 dark:text-zinc-100">{formatMetric(p[1])}</span>
          </li>
        ))}
      </ul>
      {rows.length > MAX_TOOLTIP_ROWS && <div className="mt-1 text-zinc-400">+{rows.length - MAX_TOOLTIP_ROWS} more runs</div>}
    </div>
  );
}

/**
 * A metric against step, one line per series. Each line carries its own data (runs log
 * different steps), without animation or dots, so a hundred runs stay interactive.
 */
export const MetricChart = memo(function MetricChart({
  title,
  series,
  height = 240,
}: {
  title: string;
  series: ChartSeries[];
  height?: number;
}) {
  const data = series.map((s) => ({ ...s, data: s.points.map(([step, value]): Datum => ({ step, value })) }));
  const pointCount = series.reduce((n, s) => n + s.points.length, 0);
  return (
    <figure className="card p-4" data-testid="metric-chart" data-metric={title}>
      <figcaption className="mb-2 flex items-baseline justify-between gap-2">
        <span className="truncate font-mono text-sm font-medium" title={title}>
          {title}
        </span>
        <span className="shrink-0 text-xs text-zinc-400 dark:text-zinc-500">
          {series.length === 1 ? `${pointCount} ${pointCount === 1 ? "point" : "points"}` : `${series.length} runs`}
        </span>
      </figcaption>
      {pointCount === 0 ? (
        <p className="flex items-center justify-center text-sm text-zinc-400 dark:text-zinc-500" style={{ height }}>
          No finite values to draw
        </p>
      ) : (
        <div className="text-zinc-500 dark:text-zinc-400" role="img" aria-label={`${title} by step for ${series.map((s) => s.name).join(", ")}`}>
          <ResponsiveContainer width="100%" height={height}>
            <LineChart margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
              <CartesianGrid stroke="currentColor" strokeOpacity={0.15} vertical={false} />
              <XAxis
                dataKey="step"
                type="number"
                domain={["dataMin", "dataMax"]}
                allowDuplicatedCategory={false}
                tick={{ fill: "currentColor", fontSize: 11 }}
                stroke="currentColor"
                strokeOpacity={0.3}
                tickLine={false}
              />
              <YAxis
                dataKey="value"
                type="number"
                domain={["auto", "auto"]}
                width={56}
                tickFormatter={(v: number) => formatMetric(v)}
                tick={{ fill: "currentColor", fontSize: 11 }}
                stroke="currentColor"
                strokeOpacity={0.3}
                tickLine={false}
              />
              <Tooltip content={<ChartTooltip series={series} />} isAnimationActive={false} />
              {data.map((s) => (
                <Line
                  key={s.id}
                  data={s.data}
                  dataKey="value"
                  name={s.name}
                  stroke={s.color}
                  strokeWidth={series.length > 20 ? 1 : 1.75}
                  dot={false}
                  activeDot={false}
                  isAnimationActive={false}
                  connectNulls
                />
              ))}
            </LineChart>
          </ResponsiveContainer>
        </div>
      )}
    </figure>
  );
});
