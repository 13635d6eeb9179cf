"use client";

import { memo, useMemo, useState } from "react";
import {
  CartesianGrid,
  LineChart,
  ResponsiveContainer,
  usePlotArea,
  useXAxisInverseScale,
  useXAxisScale,
  useYAxisScale,
  XAxis,
  YAxis,
} from "recharts";
import { formatMetric } from "./format";

/** One line: points as [step, value] pairs, sorted by step (already downsampled on the server). */
export interface ChartSeries {
  id: string;
  name: string;
  color: string;
  points: [number, number][];
}

type Hover = { step: number; px: number; py: number } | null;

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

/** Round bounds and a step for about `count` ticks, so axes read 0.5, 0.6… rather than 0.4873. */
function niceDomain(min: number, max: number, count = 5): [number, number] {
  if (min === max) {
    const pad = Math.abs(min) * 0.05 || 1;
    return [min - pad, max + pad];
  }
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  return [Math.floor(min / step) * step, Math.ceil(max / step) * step];
}

/**
 * The lines, drawn as one SVG path per series from the chart's own scales. Recharts' <Line>
 * costs too much per series when a hundred runs are overlaid; axes, grid and layout stay Recharts'.
 */
const SeriesPaths = memo(function SeriesPaths({ series }: { series: ChartSeries[] }) {
  const x = useXAxisScale();
  const y = useYAxisScale();
  const paths = useMemo(() => {
    if (!x || !y) return [];
    return series.map((s) => {
      let d = "";
      for (const [step, value] of s.points) {
        const px = x(step);
        const py = y(value);
        if (px === undefined || py === undefined) continue;
        d += `${d ? "L" : "M"}${px.toFixed(1)},${py.toFixed(1)}`;
      }
      // A single point has no length: draw it as a dot.
      if (s.points.length === 1) d += "h0.01";
      return { s, d };
    });
  }, [series, x, y]);
  const wide = series.length > 20;
  return (
    <g>
      {paths.map(({ s, d }) => (
        <path
          key={s.id}
          d={d}
          fill="none"
          stroke={s.color}
          strokeWidth={s.points.length === 1 ? 6 : wide ? 1 : 1.75}
          strokeLinecap="round"
          strokeLinejoin="round"
          className="metric-line"
          data-run-id={s.id}
        >
          <title>{s.name}</title>
        </path>
      ))}
    </g>
  );
});

/** A transparent layer over the plot area that reports the step under the pointer. */
function HoverLayer({ hover, onHover }: { hover: Hover; onHover: (h: Hover) => void }) {
  const area = usePlotArea();
  const invert = useXAxisInverseScale();
  const x = useXAxisScale();
  if (!area || !invert || !x) return null;
  const cursor = hover ? x(hover.step) : undefined;
  return (
    <g>
      {cursor !== undefined && <line x1={cursor} x2={cursor} y1={area.y} y2={area.y + area.height} stroke="currentColor" strokeOpacity={0.4} strokeDasharray="3 3" />}
      <rect
        x={area.x}
        y={area.y}
        width={area.width}
        height={area.height}
        fill="transparent"
        onMouseMove={(e) => {
          const box = (e.currentTarget.ownerSVGElement ?? e.currentTarget).getBoundingClientRect();
          const px = e.clientX - box.left;
          const step = Number(invert(px));
          if (Number.isFinite(step)) onHover({ step, px, py: e.clientY - box.top });
        }}
        onMouseLeave={() => onHover(null)}
      />
    </g>
  );
}

const MAX_TOOLTIP_ROWS = 10;

// Props of the Recharts parts, made once: a new object or function on each render would make
// Recharts recompute its layout (and measure its tick labels again) whenever the chart re-renders.
const MARGIN = { top: 4, right: 8, bottom: 0, left: 0 };
const TICK = { fill: "currentColor", fontSize: 11 };
const formatTick = (v: number) => formatMetric(v);

function HoverCard({ hover, series, width }: { hover: NonNullable<Hover>; series: ChartSeries[]; width: number }) {
  const rows = series
    .map((s) => ({ s, p: nearest(s.points, hover.step) }))
    .filter((r): r is { s: ChartSeries; p: [number, number] } => r.p !== null)
    .sort((a, b) => b.p[1] - a.p[1]);
  const step = rows[0]?.p[0] ?? Math.round(hover.step);
  const left = hover.px > width / 2 ? undefined : hover.px + 12;
  const right = hover.px > width / 2 ? width - hover.px + 12 : undefined;
  return (
    <div
      className="pointer-events-none absolute top-8 z-10 rounded-md border border-zinc-200 bg-white/95 px-3 py-2 text-xs shadow-lg dark:border-zinc-700 dark:bg-zinc-900/95"
      style={{ left, right }}
      data-testid="chart-tooltip"
    >
      <div className="mb-1 font-medium text-zinc-700 dark:text-zinc-200">step {step}</div>
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

/** A metric against step, one line per series, with a hover card listing each series' value there. */
export const MetricChart = memo(function MetricChart({
  title,
  series,
  height = 240,
}: {
  title: string;
  series: ChartSeries[];
  height?: number;
}) {
  const [hover, setHover] = useState<Hover>(null);
  const [width, setWidth] = useState(0);
  const extent = useMemo(() => {
    let x0 = Infinity;
    let x1 = -Infinity;
    let y0 = Infinity;
    let y1 = -Infinity;
    for (const s of series) {
      for (const [step, value] of s.points) {
        if (step < x0) x0 = step;
        if (step > x1) x1 = step;
        if (value < y0) y0 = value;
        if (value > y1) y1 = value;
      }
    }
    return [x0, x1, y0, y1] as const;
  }, [series]);
  const [x0, x1] = extent;
  const [ny0, ny1] = Number.isFinite(x0) ? niceDomain(extent[2], extent[3]) : [NaN, NaN];
  // Keyed on the axes' numbers, not on the series: hiding a run that leaves the rounded domain as
  // it was keeps the same bounds object, and Recharts keeps its axes.
  const bounds = useMemo(() => {
    if (!Number.isFinite(x0)) return null;
    return { x: x0 === x1 ? ([x0 - 1, x1 + 1] as [number, number]) : ([x0, x1] as [number, number]), y: [ny0, ny1] as [number, number] };
  }, [x0, x1, ny0, ny1]);
  const pointCount = series.reduce((n, s) => n + s.points.length, 0);
  // The chart's own data is only the corners of the domain (the lines are SeriesPaths): the same
  // array while the bounds stay, so a hover or a hidden run does not redo the axes.
  const corners = useMemo(
    () =>
      bounds && [
        { step: bounds.x[0], value: bounds.y[0] },
        { step: bounds.x[1], value: bounds.y[1] },
      ],
    [bounds],
  );

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
      {!bounds || !corners ? (
        <p className="flex items-center justify-center text-sm text-zinc-400 dark:text-zinc-500" style={{ height }}>
          No finite values to draw
        </p>
      ) : (
        <div className="relative text-zinc-500 dark:text-zinc-400" role="img" aria-label={`${title} by step for ${series.map((s) => s.name).join(", ")}`}>
          <ResponsiveContainer width="100%" height={height} onResize={(w) => setWidth(w)}>
            <LineChart data={corners} margin={MARGIN}>
              <CartesianGrid stroke="currentColor" strokeOpacity={0.15} vertical={false} />
              <XAxis
                dataKey="step"
                type="number"
                domain={bounds.x}
                allowDataOverflow
                tick={TICK}
                stroke="currentColor"
                strokeOpacity={0.3}
                tickLine={false}
              />
              <YAxis
                dataKey="value"
                type="number"
                domain={bounds.y}
                allowDataOverflow
                width={56}
                tickFormatter={formatTick}
                tick={TICK}
                stroke="currentColor"
                strokeOpacity={0.3}
                tickLine={false}
              />
              <SeriesPaths series={series} />
              <HoverLayer hover={hover} onHover={setHover} />
            </LineChart>
          </ResponsiveContainer>
          {hover && <HoverCard hover={hover} series={series} width={width} />}
        </div>
      )}
    </figure>
  );
});
