// The analysis of a test: per-arm estimates, comparisons against the baseline (first arm), the
// sequential always-valid p-values over the hourly looks, Holm correction across several
// challengers, the sample-ratio check, guardrails, lift over time and a verdict in words.
import { armOutcomes, armTraffic, type ArmOutcomes, type ArmTraffic } from "./outcomes";
import { msprtInterval, msprtPValue, pooledSd } from "./sequential";
import { ALPHA, compareMeans, compareProportions, holm, liftAndSe, meanEstimate, rateEstimate, sampleRatioMismatch, sampleVariance, type ArmSums, type Comparison } from "./stats";
import type { AbTest } from "./lifecycle";
import type { MetricKind } from "./schemas";
import { SHADOW_ARM } from "./schemas";
import { describeVerdict } from "./verdict";

/** Looks with fewer outcomes per arm than this do not count for the sequential test: plug-in variances are too rough. */
export const SEQUENTIAL_BURN_IN = 30;
const MAX_TIMELINE_POINTS = 200;

export interface ArmResult {
  name: string;
  version: number;
  weight: number;
  n: number;
  mean: number | null;
  ci_low: number | null;
  ci_high: number | null;
  units: number;
  predictions: number;
  mean_latency_ms: number | null;
}

export interface ComparisonResult {
  arm: string;
  baseline: string;
  lift: number | null;
  lift_ci_low: number | null;
  lift_ci_high: number | null;
  relative_lift: number | null;
  relative_lift_ci_low: number | null;
  relative_lift_ci_high: number | null;
  p_value: number | null;
  p_value_adjusted: number | null;
  sequential_p_value: number | null;
  sequential_p_value_adjusted: number | null;
  always_valid_ci_low: number | null;
  always_valid_ci_high: number | null;
  significant: boolean;
}

export interface GuardrailResult {
  arm: string;
  metric: "latency_ms";
  value: number | null;
  limit: number;
  violated: boolean;
}

export interface TimelinePoint {
  time: string;
  arms: Record<string, { n: number; mean: number | null }>;
  lifts: Record<string, { lift: number | null; low: number | null; high: number | null }>;
}

export interface Analysis {
  test_id: string;
  state: string;
  metric: MetricKind;
  alpha: number;
  min_samples: number;
  ready: boolean;
  arms: ArmResult[];
  shadow: (Omit<ArmResult, "weight" | "name"> & { name: string }) | null;
  comparisons: ComparisonResult[];
  srm: { p_value: number | null; flagged: boolean; chi_square: number | null; units: Record<string, number> };
  guardrails: GuardrailResult[];
  timeline: TimelinePoint[];
  winner: string | null;
  verdict: string;
}

const EMPTY: ArmSums = { n: 0, sum: 0, sumSq: 0 };

function estimate(kind: MetricKind, s: ArmSums) {
  return kind === "mean" ? meanEstimate(s) : rateEstimate(s.sum, s.n);
}

function compare(kind: MetricKind, arm: ArmSums, base: ArmSums): Comparison {
  return kind === "mean" ? compareMeans(arm, base) : compareProportions(arm, base);
}

/** Per-unit standard deviation pooled over two arms (for conversion and accuracy, from the rates). */
function unitSd(kind: MetricKind, a: ArmSums, b: ArmSums): number {
  if (kind === "mean") return pooledSd(a.n, sampleVariance(a), b.n, sampleVariance(b));
  const p = (a.sum + b.sum) / (a.n + b.n);
  return Math.sqrt(p * (1 - p));
}

function sequentialP(kind: MetricKind, arm: ArmSums, base: ArmSums, tau: number): number | null {
  if (arm.n < SEQUENTIAL_BURN_IN || base.n < SEQUENTIAL_BURN_IN) return null;
  const c = liftAndSe(kind === "mean" ? "mean" : "proportion", arm, base);
  if (!c) return null;
  return msprtPValue({ lift: c.lift, se: c.se, sd: unitSd(kind, arm, base), tau });
}

/** Cumulative sums per arm at the end of every hour that has data, in time order. */
function cumulativeLooks(outcomes: Map<string, ArmOutcomes>, arms: string[]): { time: string; sums: Map<string, ArmSums> }[] {
  const hours = new Set<string>();
  for (const a of arms) for (const h of outcomes.get(a)?.hours ?? []) hours.add(h.hour);
  const sorted = [...hours].sort();
  const cursor = new Map(arms.map((a) => [a, 0]));
  const running = new Map(arms.map((a) => [a, { ...EMPTY }]));
  return sorted.map((time) => {
    for (const a of arms) {
      const hs = outcomes.get(a)?.hours ?? [];
      let i = cursor.get(a)!;
      const acc = running.get(a)!;
      while (i < hs.length && hs[i]!.hour <= time) {
        acc.n += hs[i]!.n;
        acc.sum += hs[i]!.sum;
        acc.sumSq += hs[i]!.sumSq;
        i++;
      }
      cursor.set(a, i);
    }
    return { time, sums: new Map(arms.map((a) => [a, { ...running.get(a)! }])) };
  });
}

/** Analysis from already-aggregated outcomes and traffic (pure: the statistics tests call it directly). */
export function analyze(test: AbTest, outcomes: Map<string, ArmOutcomes>, traffic: Map<string, ArmTraffic>): Analysis {
  const kind = test.metric.kind;
  const names = test.arms.map((a) => a.name);
  const totals = new Map(names.map((n) => [n, outcomes.get(n)?.total ?? EMPTY]));
  const arms: ArmResult[] = test.arms.map((a) => {
    const s = totals.get(a.name)!;
    const e = estimate(kind, s);
    const t = traffic.get(a.name);
    return {
      name: a.name,
      version: a.version,
      weight: a.weight,
      n: s.n,
      mean: e.mean,
      ci_low: e.low,
      ci_high: e.high,
      units: t?.units ?? 0,
      predictions: t?.predictions ?? 0,
      mean_latency_ms: t?.meanLatencyMs ?? null,
    };
  });
  const ready = arms.every((a) => a.n >= test.min_samples);

  const baseline = names[0]!;
  const base = totals.get(baseline)!;
  const looks = cumulativeLooks(outcomes, names);
  const challengers = names.slice(1);
  const raw = challengers.map((name) => {
    const s = totals.get(name)!;
    const c = compare(kind, s, base);
    // Running minimum of 1/Λ over the hourly looks (and the current totals): always valid.
    let seq: number | null = null;
    for (const look of [...looks.map((l) => l.sums), totals]) {
      const p = sequentialP(kind, look.get(name)!, look.get(baseline)!, test.sequential_tau);
      if (p !== null) seq = seq === null ? p : Math.min(seq, p);
    }
    const avci =
      c.lift !== null && c.se !== null && s.n >= SEQUENTIAL_BURN_IN && base.n >= SEQUENTIAL_BURN_IN
        ? msprtInterval({ lift: c.lift, se: c.se, sd: unitSd(kind, s, base), tau: test.sequential_tau })
        : { low: null, high: null };
    return { name, c, seq, avci };
  });
  const pAdj = holm(raw.map((r) => r.c.pValue));
  const seqAdj = holm(raw.map((r) => r.seq));
  const comparisons: ComparisonResult[] = raw.map((r, i) => ({
    arm: r.name,
    baseline,
    lift: r.c.lift,
    lift_ci_low: r.c.liftLow,
    lift_ci_high: r.c.liftHigh,
    relative_lift: r.c.relLift,
    relative_lift_ci_low: r.c.relLiftLow,
    relative_lift_ci_high: r.c.relLiftHigh,
    p_value: r.c.pValue,
    p_value_adjusted: pAdj[i]!,
    sequential_p_value: r.seq,
    sequential_p_value_adjusted: seqAdj[i]!,
    always_valid_ci_low: r.avci.low,
    always_valid_ci_high: r.avci.high,
    // Decided by the always-valid test, so watching the dashboard does not inflate false positives.
    significant: ready && seqAdj[i] !== null && seqAdj[i]! < ALPHA,
  }));

  const unitCounts = names.map((n) => traffic.get(n)?.units ?? 0);
  const srmResult = sampleRatioMismatch(unitCounts, test.arms.map((a) => a.weight));
  const srm = {
    p_value: srmResult.pValue,
    flagged: srmResult.flagged,
    chi_square: srmResult.chiSquare,
    units: Object.fromEntries(names.map((n, i) => [n, unitCounts[i]!])),
  };

  const guardrails: GuardrailResult[] = [];
  const baseLatency = traffic.get(baseline)?.meanLatencyMs ?? null;
  for (const g of test.guardrails) {
    for (const a of arms) {
      if (g.max !== undefined) {
        guardrails.push({ arm: a.name, metric: g.metric, value: a.mean_latency_ms, limit: g.max, violated: a.mean_latency_ms !== null && a.mean_latency_ms > g.max });
      }
      if (g.max_increase_pct !== undefined && a.name !== baseline && baseLatency !== null) {
        const limit = baseLatency * (1 + g.max_increase_pct / 100);
        guardrails.push({ arm: a.name, metric: g.metric, value: a.mean_latency_ms, limit, violated: a.mean_latency_ms !== null && a.mean_latency_ms > limit });
      }
    }
  }

  let shadow: Analysis["shadow"] = null;
  if (test.shadow) {
    const s = outcomes.get(SHADOW_ARM)?.total ?? EMPTY;
    const e = estimate(kind, s);
    const t = traffic.get(SHADOW_ARM);
    shadow = {
      name: SHADOW_ARM,
      version: test.shadow.version,
      n: s.n,
      mean: e.mean,
      ci_low: e.low,
      ci_high: e.high,
      units: t?.units ?? 0,
      predictions: t?.predictions ?? 0,
      mean_latency_ms: t?.meanLatencyMs ?? null,
    };
  }

  const { winner, verdict } = describeVerdict({ test, arms, comparisons, srm, guardrails, ready });
  return {
    test_id: test.id,
    state: test.state,
    metric: kind,
    alpha: ALPHA,
    min_samples: test.min_samples,
    ready,
    arms,
    shadow,
    comparisons,
    srm,
    guardrails,
    timeline: timeline(kind, looks, names),
    winner,
    verdict,
  };
}

function timeline(kind: MetricKind, looks: { time: string; sums: Map<string, ArmSums> }[], names: string[]): TimelinePoint[] {
  // Keep at most MAX_TIMELINE_POINTS evenly spaced looks, always the last one.
  const step = Math.max(1, Math.ceil(looks.length / MAX_TIMELINE_POINTS));
  const picked = looks.filter((_, i) => (looks.length - 1 - i) % step === 0);
  const base = names[0]!;
  return picked.map(({ time, sums }) => ({
    time,
    arms: Object.fromEntries(names.map((n) => [n, { n: sums.get(n)!.n, mean: estimate(kind, sums.get(n)!).mean }])),
    lifts: Object.fromEntries(
      names.slice(1).map((n) => {
        const c = compare(kind, sums.get(n)!, sums.get(base)!);
        return [n, { lift: c.lift, low: c.liftLow, high: c.liftHigh }];
      }),
    ),
  }));
}

export async function analyzeTest(test: AbTest): Promise<Analysis> {
  const [outcomes, traffic] = await Promise.all([armOutcomes(test.id, test.metric.kind), armTraffic(test.id)]);
  return analyze(test, outcomes, traffic);
}
