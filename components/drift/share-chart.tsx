"use client";

import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export interface SharePoint {
  id: string;
  at: string;
  share_drifted: number;
  dataset_drift: boolean;
}

const fmtTime = (iso: string) => new Date(iso).toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });

/** Share of drifted columns per report over time, with the dataset-drift threshold. */
export function ShareChart({ points, threshold }: { points: SharePoint[]; threshold: number }) {
  const data = points.map((p) => ({ ...p, t: new Date(p.at).getTime(), pct: p.share_drifted * 100 }));
  return (
    <figure aria-label="Share of drifted columns over time" className="h-64 w-full">
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="currentColor" strokeOpacity={0.15} />
          <XAxis dataKey="t" type="number" scale="time" domain={["dataMin", "dataMax"]} tickFormatter={(t: number) => fmtTime(new Date(t).toISOString())} tick={{ fontSize: 11 }} />
          <YAxis domain={[0, 100]} unit="%" tick={{ fontSize: 11 }} width={44} />
          <ReferenceLine y={threshold * 100} stroke="#dc2626" strokeDasharray="4 4" label={{ value: "dataset drift", position: "insideTopRight", fontSize: 10, fill: "#dc2626" }} />
          <Tooltip
            labelFormatter={(t) => fmtTime(new Date(Number(t)).toISOString())}
            formatter={(v) => [`${Number(v).toFixed(0)}%`, "columns drifted"]}
          />
          <Line type="linear" dataKey="pct" stroke="#4f46e5" strokeWidth={2} dot={{ r: 3 }} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
