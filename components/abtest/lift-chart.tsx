"use client";

import { Area, CartesianGrid, ComposedChart, Legend, Line, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { TimelinePoint } from "@/lib/abtest/analysis";
import type { MetricKind } from "@/lib/abtest/schemas";
import { formatLift } from "@/lib/abtest/verdict";

const COLORS = ["#4f46e5", "#059669", "#d97706", "#db2777", "#0891b2", "#7c3aed", "#65a30d", "#dc2626", "#0d9488"];

function shortTime(iso: string): string {
  return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
}

/** Cumulative lift of each challenger over the baseline, per hour, with its 95% band. */
export function LiftChart({ timeline, arms, kind }: { timeline: TimelinePoint[]; arms: string[]; kind: MetricKind }) {
  if (timeline.length === 0) return <p className="text-sm text-zinc-500 dark:text-zinc-400">No outcomes yet.</p>;
  const data = timeline.map((p) => {
    const row: Record<string, number | string | [number, number] | null> = { time: shortTime(p.time) };
    for (const a of arms) {
      const l = p.lifts[a];
      row[a] = l?.lift ?? null;
      row[`${a}-band`] = l && l.low !== null && l.high !== null ? [l.low, l.high] : null;
    }
    return row;
  });
  const fmt = (v: number) => formatLift(kind, v);
  // Axis ticks stay short: points (rates) or plain numbers (means), the unit is in the axis label.
  const tick = (v: number) => (kind === "mean" ? String(Number(v.toPrecision(3))) : `${v > 0 ? "+" : ""}${Number((v * 100).toPrecision(3))}`);
  return (
    <div className="h-72 w-full" data-testid="lift-chart">
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" strokeOpacity={0.3} />
          <XAxis dataKey="time" tick={{ fontSize: 11 }} minTickGap={24} />
          <YAxis
            tick={{ fontSize: 11 }}
            tickFormatter={tick}
            width={56}
            label={{ value: kind === "mean" ? "lift" : "lift (pts)", angle: -90, position: "insideLeft", fontSize: 11, offset: 4 }}
          />
          <Tooltip
            formatter={(v, name) =>
              Array.isArray(v) ? [`${fmt(Number(v[0]))} to ${fmt(Number(v[1]))}`, `${String(name)} 95% CI`] : [fmt(Number(v)), String(name)]
            }
          />
          <Legend />
          <ReferenceLine y={0} stroke="currentColor" strokeOpacity={0.5} />
          {arms.map((a, i) => (
            <Area key={`${a}-band`} dataKey={`${a}-band`} name={`${a} 95% CI`} stroke="none" fill={COLORS[i % COLORS.length]} fillOpacity={0.15} isAnimationActive={false} legendType="none" />
          ))}
          {arms.map((a, i) => (
            <Line key={a} dataKey={a} name={`${a} lift`} stroke={COLORS[i % COLORS.length]} strokeWidth={2} dot={false} isAnimationActive={false} connectNulls />
          ))}
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
