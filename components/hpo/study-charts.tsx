"use client";

import { Bar, BarChart, CartesianGrid, ComposedChart, Legend, Line, LineChart, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from "recharts";
import type { TrialJson } from "@/lib/hpo/api";

const COLORS = ["#4f46e5", "#059669", "#d97706", "#db2777", "#0891b2", "#7c3aed", "#65a30d", "#dc2626", "#0d9488"];
const MAX_CURVES = 40;

export function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined) return "–";
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : String(Number(v.toPrecision(5)));
}

function Empty({ children }: { children: string }) {
  return <p className="text-sm text-zinc-500 dark:text-zinc-400">{children}</p>;
}

function bestSoFar(done: TrialJson[], direction: "minimize" | "maximize"): { number: number; value: number; best: number }[] {
  const out: { number: number; value: number; best: number }[] = [];
  for (const t of done) {
    const v = t.value!;
    const prev = out.length ? out[out.length - 1]!.best : v;
    out.push({ number: t.number, value: v, best: direction === "minimize" ? Math.min(prev, v) : Math.max(prev, v) });
  }
  return out;
}

/** Objective value of every finished trial by trial number, with the best value so far. */
export function OptimizationHistory({ trials, direction }: { trials: TrialJson[]; direction: "minimize" | "maximize" }) {
  const done = trials.filter((t) => t.state === "COMPLETE" && t.value !== null).sort((a, b) => a.number - b.number);
  if (done.length === 0) return <Empty>No complete trial yet.</Empty>;
  const data = bestSoFar(done, direction);
  return (
    <div className="h-72 w-full" data-testid="optimization-history">
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" strokeOpacity={0.3} />
          <XAxis dataKey="number" type="number" tick={{ fontSize: 11 }} label={{ value: "trial", position: "insideBottomRight", offset: -4, fontSize: 11 }} />
          <YAxis tick={{ fontSize: 11 }} tickFormatter={fmt} width={72} domain={["auto", "auto"]} />
          <Tooltip formatter={(v, name) => [fmt(Number(v)), String(name)]} labelFormatter={(l) => `trial ${String(l)}`} />
          <Legend />
          <Scatter dataKey="value" name="objective value" fill={COLORS[0]} isAnimationActive={false} />
          <Line dataKey="best" name="best so far" stroke={COLORS[3]} strokeWidth={2} dot={false} type="stepAfter" isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}

/** Reported intermediate values (e.g. validation loss per epoch), one line per trial. */
export function IntermediateValues({ trials }: { trials: TrialJson[] }) {
  const withCurves = trials.filter((t) => t.intermediate_values.length > 0).slice(-MAX_CURVES);
  if (withCurves.length === 0) return <Empty>No trial reported intermediate values.</Empty>;
  const steps = [...new Set(withCurves.flatMap((t) => t.intermediate_values.map(([s]) => s)))].sort((a, b) => a - b);
  const byTrial = new Map(withCurves.map((t) => [t.number, new Map(t.intermediate_values)]));
  const data = steps.map((s) => {
    const row: Record<string, number | null> = { step: s };
    for (const t of withCurves) row[`t${t.number}`] = byTrial.get(t.number)!.get(s) ?? null;
    return row;
  });
  return (
    <div className="h-72 w-full" data-testid="intermediate-values">
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" strokeOpacity={0.3} />
          <XAxis dataKey="step" type="number" tick={{ fontSize: 11 }} domain={["dataMin", "dataMax"]} />
          <YAxis tick={{ fontSize: 11 }} tickFormatter={fmt} width={72} domain={["auto", "auto"]} />
          <Tooltip formatter={(v, name) => [fmt(Number(v)), `trial ${String(name).slice(1)}`]} labelFormatter={(l) => `step ${String(l)}`} />
          {withCurves.map((t, i) => (
            <Line
              key={t.number}
              dataKey={`t${t.number}`}
              stroke={COLORS[i % COLORS.length]}
              strokeOpacity={t.state === "PRUNED" ? 0.45 : 0.9}
              strokeDasharray={t.state === "PRUNED" ? "4 3" : undefined}
              dot={false}
              connectNulls
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}

/** One small scatter per parameter: its value against the objective value. */
export function SlicePlots({ trials, params }: { trials: TrialJson[]; params: string[] }) {
  const done = trials.filter((t) => t.state === "COMPLETE" && t.value !== null);
  if (done.length === 0 || params.length === 0) return <Empty>No complete trial yet.</Empty>;
  return (
    <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-3" data-testid="slice-plots">
      {params.map((p, i) => {
        const points = done.filter((t) => p in t.params).map((t) => ({ x: t.params[p], value: t.value!, number: t.number }));
        const numeric = points.every((pt) => typeof pt.x === "number");
        const categories = numeric ? [] : [...new Set(points.map((pt) => String(pt.x)))].sort();
        const data = points.map((pt) => ({ ...pt, x: numeric ? (pt.x as number) : categories.indexOf(String(pt.x)) }));
        // Penalties and learning rates span decades: a log axis, as the parallel coordinates use.
        const xs = data.map((d) => d.x);
        const [lo, hi] = [Math.min(...xs), Math.max(...xs)];
        const log = numeric && lo > 0 && hi / lo >= 100;
        return (
          <figure key={p} className="rounded-md border border-zinc-200 p-2 dark:border-zinc-800">
            <figcaption className="mb-1 text-xs font-medium text-zinc-600 dark:text-zinc-300">{p}</figcaption>
            <div className="h-44 w-full">
              <ResponsiveContainer width="100%" height="100%">
                <ScatterChart margin={{ top: 4, right: 8, bottom: 4, left: 4 }}>
                  <CartesianGrid strokeDasharray="3 3" strokeOpacity={0.3} />
                  <XAxis
                    dataKey="x"
                    type="number"
                    scale={log ? "log" : "auto"}
                    tick={{ fontSize: 10 }}
                    domain={log ? [lo / 1.5, hi * 1.5] : numeric ? ["auto", "auto"] : [-0.5, categories.length - 0.5]}
                    ticks={log ? decades(lo, hi) : numeric ? undefined : categories.map((_, k) => k)}
                    tickFormatter={(v: number) => (numeric ? fmt(v) : (categories[v] ?? ""))}
                  />
                  <YAxis dataKey="value" type="number" tick={{ fontSize: 10 }} tickFormatter={fmt} width={60} domain={["auto", "auto"]} />
                  <Tooltip formatter={(v) => fmt(Number(v))} />
                  <Scatter data={data} fill={COLORS[i % COLORS.length]} isAnimationActive={false} />
                </ScatterChart>
              </ResponsiveContainer>
            </div>
          </figure>
        );
      })}
    </div>
  );
}

/** The powers of ten from lo to hi. */
function decades(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.ceil(Math.log10(lo) - 1e-9); e <= Math.floor(Math.log10(hi) + 1e-9); e++) out.push(10 ** e);
  return out;
}

/** fANOVA importance of each parameter (sums to 1). */
export function ParamImportance({ importance }: { importance: Record<string, number> | null }) {
  if (!importance || Object.keys(importance).length === 0) return <Empty>Needs at least 3 complete trials sharing their parameters.</Empty>;
  const data = Object.entries(importance)
    .map(([name, value]) => ({ name, value }))
    .sort((a, b) => b.value - a.value);
  return (
    <div className="w-full" style={{ height: 40 + 28 * data.length }} data-testid="param-importance">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} layout="vertical" margin={{ top: 8, right: 24, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" strokeOpacity={0.3} />
          <XAxis type="number" domain={[0, 1]} tick={{ fontSize: 11 }} tickFormatter={(v: number) => `${Math.round(v * 100)}%`} />
          <YAxis type="category" dataKey="name" tick={{ fontSize: 11 }} width={120} />
          <Tooltip formatter={(v) => `${(Number(v) * 100).toFixed(1)}%`} />
          <Bar dataKey="value" name="importance" fill={COLORS[1]} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
