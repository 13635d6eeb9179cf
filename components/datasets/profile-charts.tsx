"use client";

import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { ColumnProfile } from "@/lib/datasets/types";

const fmt = (v: number | null | undefined) =>
  v === null || v === undefined || !Number.isFinite(v) ? "–" : Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : Number(v.toPrecision(4)).toString();

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div className="flex justify-between gap-2">
      <dt className="text-zinc-500 dark:text-zinc-400">{label}</dt>
      <dd className="tabular-nums">{value}</dd>
    </div>
  );
}

function Chart({ data, label }: { data: { bin: string; count: number }[]; label: string }) {
  return (
    <div className="h-40 w-full" role="img" aria-label={label}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 4, right: 4, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} strokeOpacity={0.3} />
          <XAxis dataKey="bin" tick={{ fontSize: 10 }} interval="preserveStartEnd" minTickGap={12} />
          <YAxis tick={{ fontSize: 10 }} allowDecimals={false} />
          <Tooltip formatter={(v) => [String(v), "rows"]} contentStyle={{ fontSize: 12 }} />
          <Bar dataKey="count" fill="#6366f1" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

/** One column's profile: statistics and a histogram (numbers) or the most frequent values. */
export function ColumnProfileCard({ column, rowCount }: { column: ColumnProfile; rowCount: number }) {
  const missingPct = rowCount ? ((column.missing / rowCount) * 100).toFixed(1) : "0";
  let chart: React.ReactNode = null;
  let stats: [string, string][] = [];
  if (column.type === "numeric" || column.type === "integer") {
    const h = column.histogram;
    if (h && h.counts.length) {
      const data = h.counts.map((count, i) => ({ bin: `${fmt(h.edges[i])}–${fmt(h.edges[i + 1])}`, count: Math.round(count) }));
      chart = <Chart data={data} label={`Histogram of ${column.name}`} />;
    }
    stats = [
      ["mean", fmt(column.mean)],
      ["std", fmt(column.std)],
      ["min", fmt(column.min)],
      ["median", fmt(column.median)],
      ["max", fmt(column.max)],
    ];
  } else if (column.type === "datetime") {
    stats = [
      ["first", column.min ?? "–"],
      ["last", column.max ?? "–"],
    ];
  } else if ("values" in column) {
    const top = column.values.slice(0, 12).map((v) => ({ bin: v.value.length > 18 ? `${v.value.slice(0, 17)}…` : v.value, count: v.count }));
    if (top.length) chart = <Chart data={top} label={`Most frequent values of ${column.name}`} />;
    stats = [
      ["top value", column.values[0] ? `${column.values[0].value} (${column.values[0].count})` : "–"],
      ["other values", String(column.otherCount)],
    ];
  }
  return (
    <section className="card p-3" data-testid="column-profile" aria-label={`Profile of ${column.name}`}>
      <div className="mb-2 flex items-baseline justify-between gap-2">
        <h3 className="truncate text-sm font-semibold" title={column.name}>
          {column.name}
        </h3>
        <span className="text-xs text-zinc-500 dark:text-zinc-400">{column.type}</span>
      </div>
      {chart}
      <dl className="mt-2 space-y-0.5 text-xs">
        <Stat label="values" value={String(column.count)} />
        <Stat label="missing" value={`${column.missing} (${missingPct}%)`} />
        <Stat label="distinct" value={`${column.distinctExact ? "" : "≈"}${column.distinct}`} />
        {stats.map(([k, v]) => (
          <Stat key={k} label={k} value={v} />
        ))}
      </dl>
    </section>
  );
}
