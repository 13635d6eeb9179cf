"use client";

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { histogramRows, type DriftHistogram } from "./histogram";

/** Reference and current distributions of one column on shared bins, as shares of each side. */
export function HistogramOverlay({ reference, current, column }: { reference: DriftHistogram | null; current: DriftHistogram | null; column: string }) {
  const rows = histogramRows(reference, current);
  if (!rows.length) return <p className="text-sm text-zinc-500 dark:text-zinc-400">No histogram for this column.</p>;
  return (
    <figure aria-label={`Reference and current distribution of ${column}`} className="h-72 w-full">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={rows} margin={{ top: 8, right: 16, bottom: 24, left: 0 }} barGap={0}>
          <CartesianGrid strokeDasharray="3 3" stroke="currentColor" strokeOpacity={0.15} />
          <XAxis dataKey="label" tick={{ fontSize: 10 }} interval="preserveStartEnd" angle={-20} textAnchor="end" />
          <YAxis unit="%" tick={{ fontSize: 11 }} width={44} />
          <Tooltip formatter={(v, name) => [`${Number(v).toFixed(1)}%`, String(name)]} />
          <Legend verticalAlign="top" height={24} />
          <Bar dataKey="reference" name="reference" fill="#94a3b8" fillOpacity={0.8} isAnimationActive={false} />
          <Bar dataKey="current" name="current" fill="#4f46e5" fillOpacity={0.8} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
