// The verdict in words, and the winner it names. Higher is better for every metric kind.
// No verdict before the minimum sample; a sample-ratio mismatch or a violated guardrail blocks one.
import type { ArmResult, ComparisonResult, GuardrailResult } from "./analysis";
import type { AbTest } from "./lifecycle";
import type { MetricKind } from "./schemas";

interface VerdictInput {
  test: AbTest;
  arms: ArmResult[];
  comparisons: ComparisonResult[];
  srm: { p_value: number | null; flagged: boolean; units: Record<string, number> };
  guardrails: GuardrailResult[];
  ready: boolean;
}

export function formatValue(kind: MetricKind, v: number | null): string {
  if (v === null) return "–";
  return kind === "mean" ? Number(v.toPrecision(4)).toString() : `${(v * 100).toFixed(2)}%`;
}

export function formatLift(kind: MetricKind, v: number | null): string {
  if (v === null) return "–";
  const sign = v > 0 ? "+" : v < 0 ? "−" : "";
  const a = Math.abs(v);
  return kind === "mean" ? `${sign}${Number(a.toPrecision(3))}` : `${sign}${(a * 100).toFixed(2)} pts`;
}

export function formatP(p: number | null): string {
  if (p === null) return "–";
  return p < 0.0001 ? p.toExponential(1) : p.toFixed(4);
}

export function describeVerdict({ test, arms, comparisons, srm, guardrails, ready }: VerdictInput): { winner: string | null; verdict: string } {
  const kind = test.metric.kind;
  const base = arms[0]!;
  const total = arms.reduce((s, a) => s + a.n, 0);
  if (test.state === "draft" && total === 0) return { winner: null, verdict: "Not started: start the test to split the model's traffic between its arms." };
  if (srm.flagged) {
    const split = arms.map((a) => srm.units[a.name] ?? 0).join(" / ");
    const weights = arms.map((a) => a.weight).join(" / ");
    return {
      winner: null,
      verdict: `Sample ratio mismatch (p = ${formatP(srm.p_value)}): the arms received ${split} units against weights ${weights}. Assignment or logging is broken; do not trust these results until it is fixed.`,
    };
  }
  if (!ready) {
    const smallest = Math.min(...arms.map((a) => a.n));
    return {
      winner: null,
      verdict: `Collecting data: the smallest arm has ${smallest} of the ${test.min_samples} outcomes needed per arm. No verdict before the minimum sample.`,
    };
  }
  const violated = new Set(guardrails.filter((g) => g.violated).map((g) => g.arm));
  const better = comparisons.filter((c) => c.significant && (c.lift ?? 0) > 0 && !violated.has(c.arm));
  const guardNote = violated.size ? ` Guardrail violated by ${[...violated].map((a) => `'${a}'`).join(", ")}.` : "";
  if (better.length) {
    const best = better.reduce((a, b) => ((b.lift ?? 0) > (a.lift ?? 0) ? b : a));
    const arm = arms.find((a) => a.name === best.arm)!;
    return {
      winner: arm.name,
      verdict:
        `Arm '${arm.name}' (v${arm.version}) beats baseline '${base.name}' (v${base.version}): ${formatValue(kind, arm.mean)} vs ${formatValue(kind, base.mean)}, ` +
        `lift ${formatLift(kind, best.lift)} (95% CI ${formatLift(kind, best.lift_ci_low)} to ${formatLift(kind, best.lift_ci_high)}), ` +
        `always-valid p = ${formatP(best.sequential_p_value_adjusted)}.${guardNote}`,
    };
  }
  const worse = comparisons.filter((c) => c.significant && (c.lift ?? 0) < 0);
  if (comparisons.length > 0 && worse.length === comparisons.length && !violated.has(base.name)) {
    return {
      winner: base.name,
      verdict: `Baseline '${base.name}' (v${base.version}) wins: every challenger is significantly worse (${worse
        .map((c) => `'${c.arm}' ${formatLift(kind, c.lift)}`)
        .join(", ")}).${guardNote}`,
    };
  }
  return {
    winner: null,
    verdict: `No significant difference yet between ${arms.map((a) => `'${a.name}' (${formatValue(kind, a.mean)})`).join(" and ")}; keep the test running or stop it without a winner.${guardNote}`,
  };
}
