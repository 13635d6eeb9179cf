"use client";

import { useId, useMemo, useState } from "react";
import { formatMetric } from "./format";
import type { ParamsCompareRun } from "./params-compare";

type Axis =
  | { key: string; label: string; kind: "numeric"; min: number; max: number; log: boolean; value: (r: ParamsCompareRun) => number | null }
  | { key: string; label: string; kind: "categorical"; categories: string[]; value: (r: ParamsCompareRun) => string | null };

const MAX_PARAM_AXES = 12;
const HEIGHT = 340;
const TOP = 44;
const BOTTOM = 28;
const SPACING = 130;
const SIDE = 70;

// Blue → cyan → green → amber → red: every stop stays visible on light and on dark backgrounds.
const STOPS = [
  [59, 130, 246],
  [6, 182, 212],
  [16, 185, 129],
  [234, 179, 8],
  [239, 68, 68],
] as const;

function colorAt(t: number): string {
  const x = Math.min(1, Math.max(0, t)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [STOPS[i]!, STOPS[i + 1]!];
  const c = a.map((v, k) => Math.round(v + (b[k]! - v) * f));
  return `rgb(${c[0]} ${c[1]} ${c[2]})`;
}

const collator = new Intl.Collator("en", { numeric: true });

function paramAxis(key: string, runs: ParamsCompareRun[]): Axis {
  const present = runs.map((r) => r.params[key]).filter((v): v is string => v !== undefined);
  const numbers = present.map(Number);
  if (present.length > 0 && present.every((v, i) => v.trim() !== "" && Number.isFinite(numbers[i]))) {
    const min = Math.min(...numbers);
    const max = Math.max(...numbers);
    return {
      key,
      label: key,
      kind: "numeric",
      min,
      max,
      // Learning rates and the like span decades: a log axis spreads them out evenly.
      log: min > 0 && max / min >= 100,
      value: (r) => (r.params[key] === undefined ? null : Number(r.params[key])),
    };
  }
  return { key, label: key, kind: "categorical", categories: [...new Set(present)].sort(collator.compare), value: (r) => r.params[key] ?? null };
}

/** 0 (bottom) to 1 (top) on an axis; null when the run has no value there. */
function position(axis: Axis, r: ParamsCompareRun): number | null {
  if (axis.kind === "numeric") {
    const v = axis.value(r);
    if (v === null || !Number.isFinite(v)) return null;
    if (axis.max === axis.min) return 0.5;
    return axis.log ? Math.log(v / axis.min) / Math.log(axis.max / axis.min) : (v - axis.min) / (axis.max - axis.min);
  }
  const v = axis.value(r);
  if (v === null) return null;
  const n = axis.categories.length;
  return n === 1 ? 0.5 : axis.categories.indexOf(v) / (n - 1);
}

function ticks(axis: Axis): { t: number; label: string }[] {
  if (axis.kind === "categorical") {
    const n = axis.categories.length;
    const step = Math.ceil(n / 12);
    return axis.categories.flatMap((c, i) => (i % step === 0 || i === n - 1 ? [{ t: n === 1 ? 0.5 : i / (n - 1), label: c }] : []));
  }
  if (axis.max === axis.min) return [{ t: 0.5, label: formatMetric(axis.min) }];
  if (axis.log) {
    const span = Math.log(axis.max / axis.min);
    const out = [];
    for (let e = Math.ceil(Math.log10(axis.min) - 1e-9); e <= Math.floor(Math.log10(axis.max) + 1e-9); e++) {
      out.push({ t: Math.log(10 ** e / axis.min) / span, label: formatMetric(10 ** e) });
    }
    return out;
  }
  return [0, 0.25, 0.5, 0.75, 1].map((t) => ({ t, label: formatMetric(axis.min + t * (axis.max - axis.min)) }));
}

/**
 * Parallel coordinates: one vertical axis per param (numbers scaled, text as ordered categories)
 * and the chosen metric last; one line per run, coloured by that metric.
 */
export function ParallelCoordinates({ runs, paramKeys, metricKeys }: { runs: ParamsCompareRun[]; paramKeys: string[]; metricKeys: string[] }) {
  const selectId = useId();
  const gradientId = useId();
  const [metric, setMetric] = useState(metricKeys[0] ?? "");
  const [hovered, setHovered] = useState<string | null>(null);

  const { axes, skipped } = useMemo(() => {
    // Params equal in every run add nothing to the picture: show the ones that vary.
    const varying = paramKeys.filter((k) => new Set(runs.map((r) => r.params[k] ?? "\u0000")).size > 1);
    const chosen = (varying.length ? varying : paramKeys).slice(0, MAX_PARAM_AXES);
    const list: Axis[] = chosen.map((k) => paramAxis(k, runs));
    if (metric) {
      const values = runs.map((r) => r.metrics[metric]).filter((v): v is number => typeof v === "number" && Number.isFinite(v));
      if (values.length) {
        list.push({
          key: `metric:${metric}`,
          label: metric,
          kind: "numeric",
          min: Math.min(...values),
          max: Math.max(...values),
          log: false,
          value: (r) => (typeof r.metrics[metric] === "number" ? r.metrics[metric]! : null),
        });
      }
    }
    return { axes: list, skipped: Math.max(0, (varying.length ? varying : paramKeys).length - MAX_PARAM_AXES) };
  }, [runs, paramKeys, metric]);

  const metricAxis = axes.find((a) => a.key === `metric:${metric}`);
  const width = SIDE * 2 + Math.max(1, axes.length - 1) * SPACING;
  const x = (i: number) => (axes.length === 1 ? width / 2 : SIDE + i * SPACING);
  const y = (t: number) => TOP + (1 - t) * (HEIGHT - TOP - BOTTOM);

  const lines = runs.map((r) => {
    const pts = axes.flatMap((a, i) => {
      const t = position(a, r);
      return t === null ? [] : [`${x(i).toFixed(1)},${y(t).toFixed(1)}`];
    });
    const m = metricAxis ? position(metricAxis, r) : null;
    const metricValue = r.metrics[metric];
    return { run: r, points: pts.join(" "), color: m === null ? null : colorAt(m), metricValue };
  });

  if (paramKeys.length === 0 && metricKeys.length === 0) {
    return <p className="text-sm text-zinc-500 dark:text-zinc-400">These runs logged no params or metrics.</p>;
  }

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div className="text-sm">
          <label htmlFor={selectId} className="block font-medium">
            Colour by metric
          </label>
          <select id={selectId} value={metric} onChange={(e) => setMetric(e.target.value)} className="input mt-1 w-56" disabled={metricKeys.length === 0}>
            {metricKeys.length === 0 && <option value="">No metrics</option>}
            {metricKeys.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </div>
        {metricAxis && metricAxis.kind === "numeric" && (
          <div className="flex items-center gap-2 text-xs text-zinc-500 dark:text-zinc-400" aria-hidden="true">
            <span className="tabular-nums">{formatMetric(metricAxis.min)}</span>
            <svg width="120" height="10">
              <defs>
                <linearGradient id={gradientId}>
                  {STOPS.map((_, i) => (
                    <stop key={i} offset={`${(i / (STOPS.length - 1)) * 100}%`} stopColor={colorAt(i / (STOPS.length - 1))} />
                  ))}
                </linearGradient>
              </defs>
              <rect width="120" height="10" rx="2" fill={`url(#${gradientId})`} />
            </svg>
            <span className="tabular-nums">{formatMetric(metricAxis.max)}</span>
          </div>
        )}
      </div>
      <div className="card overflow-x-auto p-2 text-zinc-500 dark:text-zinc-400">
        <svg
          viewBox={`0 0 ${width} ${HEIGHT}`}
          width={width}
          height={HEIGHT}
          role="img"
          aria-label={`Parallel coordinates of ${axes.map((a) => a.label).join(", ")} for ${runs.length} runs, coloured by ${metric || "nothing"}`}
          data-testid="parallel-coordinates"
          className="mx-auto block"
        >
          <g fill="none">
            {lines.map((l) => {
              const dim = hovered !== null && hovered !== l.run.id;
              return (
                <polyline
                  key={l.run.id}
                  points={l.points}
                  stroke={l.color ?? "currentColor"}
                  strokeOpacity={dim ? 0.12 : l.color ? 0.9 : 0.45}
                  strokeWidth={hovered === l.run.id ? 3 : 1.6}
                  strokeDasharray={l.color ? undefined : "4 3"}
                  onMouseEnter={() => setHovered(l.run.id)}
                  onMouseLeave={() => setHovered(null)}
                  data-run-id={l.run.id}
                  style={{ cursor: "pointer" }}
                >
                  <title>{`${l.run.name}: ${metric} = ${l.metricValue === undefined ? "not logged" : formatMetric(l.metricValue)}`}</title>
                </polyline>
              );
            })}
          </g>
          {axes.map((a, i) => (
            <g key={a.key} transform={`translate(${x(i)},0)`}>
              <line y1={y(1)} y2={y(0)} stroke="currentColor" strokeOpacity={0.5} />
              <text y={TOP - 22} textAnchor="middle" fill="currentColor" fontSize={12} fontWeight={600} className="fill-zinc-700 dark:fill-zinc-200">
                {a.label.length > 18 ? `${a.label.slice(0, 17)}…` : a.label}
                <title>{a.key.startsWith("metric:") ? `metric ${a.label}` : `param ${a.label}`}</title>
              </text>
              <text y={TOP - 9} textAnchor="middle" fill="currentColor" fontSize={10}>
                {a.key.startsWith("metric:") ? "metric" : a.kind === "categorical" ? "param (categories)" : a.log ? "param (log)" : "param"}
              </text>
              {ticks(a).map((tk) => (
                <g key={`${tk.t}:${tk.label}`} transform={`translate(0,${y(tk.t)})`}>
                  <line x2={-4} stroke="currentColor" strokeOpacity={0.5} />
                  <text x={-7} dy="0.32em" textAnchor="end" fill="currentColor" fontSize={10} paintOrder="stroke" className="stroke-white dark:stroke-zinc-900" strokeWidth={3}>
                    {tk.label.length > 12 ? `${tk.label.slice(0, 11)}…` : tk.label}
                  </text>
                </g>
              ))}
            </g>
          ))}
        </svg>
      </div>
      <p className="text-xs text-zinc-500 dark:text-zinc-400">
        {hovered ? `Highlighted: ${runs.find((r) => r.id === hovered)?.name}. ` : "Hover a line to pick out its run. "}
        Dashed grey lines are runs without this metric; a run without a param skips that axis.
        {skipped > 0 && ` ${skipped} more varying params are not drawn.`}
      </p>
    </div>
  );
}
