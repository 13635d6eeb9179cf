"use client";

import { useQuery } from "@tanstack/react-query";
import type { Analysis } from "@/lib/abtest/analysis";
import { formatLift, formatP, formatValue } from "@/lib/abtest/verdict";
import type { ServerAction } from "@/components/ui/action-result";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { PromoteWinnerButton } from "./ab-test-controls";
import { IntervalBars } from "./interval-bars";
import { LiftChart } from "./lift-chart";

const POLL_MS = 5_000;

async function fetchAnalysis(id: string): Promise<Analysis> {
  const res = await fetch(`/api/v1/ab-tests/${encodeURIComponent(id)}/analysis`, { cache: "no-store" });
  const body = (await res.json()) as Analysis | { error: { message: string } };
  if (!res.ok) throw new Error("error" in body ? body.error.message : `HTTP ${res.status}`);
  return body as Analysis;
}

/** "low – high", or a single dash while there is no interval. */
function range(lo: string, hi: string, sep = " – "): string {
  return lo === "–" && hi === "–" ? "–" : `${lo}${sep}${hi}`;
}

function pct(v: number | null): string {
  if (v === null) return "–";
  return `${v > 0 ? "+" : v < 0 ? "−" : ""}${Math.abs(v * 100).toFixed(1)}%`;
}

function Card({ title, children, description }: { title: string; children: React.ReactNode; description?: string }) {
  return (
    <section className="card space-y-3 p-4" aria-label={title}>
      <div>
        <h2 className="text-base font-semibold">{title}</h2>
        {description && <p className="text-xs text-zinc-500 dark:text-zinc-400">{description}</p>}
      </div>
      {children}
    </section>
  );
}

/** Live results: polls the analysis while the test runs; interval bars, comparisons, lift over time, SRM banner, verdict. */
export function AbTestResults({
  id,
  initial,
  modelName,
  canEdit,
  promote,
}: {
  id: string;
  initial: Analysis;
  modelName: string;
  canEdit: boolean;
  promote: ServerAction<{ id: string; reason?: string }, { fromVersion: number | null; toVersion: number; changed: boolean; model: string }>;
}) {
  const q = useQuery({
    // The state is part of the key: after start/pause/stop the page re-renders with fresh initial data.
    queryKey: ["ab-test-analysis", id, initial.state],
    queryFn: () => fetchAnalysis(id),
    initialData: initial,
    refetchInterval: (query) => (query.state.data?.state === "running" ? POLL_MS : false),
  });
  const a = q.data;
  const kind = a.metric;
  const winnerArm = a.arms.find((x) => x.name === a.winner);
  const verdictTone = a.srm.flagged ? "error" : a.winner ? "success" : "info";

  return (
    <div className="space-y-6">
      {a.srm.flagged && (
        <Alert tone="error" className="font-medium">
          Sample ratio mismatch: the arms received {a.arms.map((x) => a.srm.units[x.name] ?? 0).join(" / ")} units against weights{" "}
          {a.arms.map((x) => x.weight).join(" / ")} (χ² p = {formatP(a.srm.p_value)}). Assignment or logging is broken; the results below cannot be
          trusted.
        </Alert>
      )}
      <div className="flex flex-wrap items-start justify-between gap-4">
        <Alert tone={verdictTone} className="min-w-0 flex-1">
          <span data-testid="verdict">{a.verdict}</span>
        </Alert>
        {a.state === "stopped" && winnerArm && (
          <PromoteWinnerButton id={id} winner={winnerArm.name} version={winnerArm.version} modelName={modelName} canEdit={canEdit} promote={promote} />
        )}
      </div>
      {q.isError && <Alert tone="warning">Could not refresh the results: {q.error.message}</Alert>}

      <Card title="Arms" description={`${kind === "mean" ? "Mean" : kind === "accuracy" ? "Accuracy" : "Conversion rate"} per arm with its 95% interval. Minimum sample: ${a.min_samples} outcomes per arm.`}>
        <IntervalBars
          kind={kind}
          rows={[
            ...a.arms.map((x, i) => ({ name: x.name, label: `${x.name} · v${x.version}${i === 0 ? " (baseline)" : ""}`, mean: x.mean, low: x.ci_low, high: x.ci_high, highlight: x.name === a.winner })),
            ...(a.shadow ? [{ name: "shadow", label: `shadow · v${a.shadow.version}`, mean: a.shadow.mean, low: a.shadow.ci_low, high: a.shadow.ci_high }] : []),
          ]}
        />
        <Table caption="Arms">
          <THead>
            <Th>Arm</Th>
            <Th>Version</Th>
            <Th>Weight</Th>
            <Th>Units</Th>
            <Th>Outcomes</Th>
            <Th>Estimate</Th>
            <Th>95% interval</Th>
            <Th>Mean latency</Th>
          </THead>
          <TBody>
            {[...a.arms.map((x) => ({ ...x, shadow: false })), ...(a.shadow ? [{ ...a.shadow, weight: 0, shadow: true }] : [])].map((x) => (
              <Tr key={x.name}>
                <Td className="font-medium">
                  {x.name} {x.name === a.winner && <Badge tone="green">winner</Badge>}
                </Td>
                <Td>v{x.version}</Td>
                <Td className="tabular-nums">{x.shadow ? "shadow" : `${x.weight}%`}</Td>
                <Td className="tabular-nums">{x.units}</Td>
                <Td className="tabular-nums" data-testid={`n-${x.name}`}>
                  {x.n}
                </Td>
                <Td className="tabular-nums">{formatValue(kind, x.mean)}</Td>
                <Td className="tabular-nums">{range(formatValue(kind, x.ci_low), formatValue(kind, x.ci_high))}</Td>
                <Td className="tabular-nums">{x.mean_latency_ms === null ? "–" : `${x.mean_latency_ms.toFixed(2)} ms`}</Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      </Card>

      <Card
        title="Comparisons"
        description={`Each challenger against the baseline. Significance uses the always-valid sequential p-value${a.comparisons.length > 1 ? " with Holm's correction across challengers" : ""}, so checking the results often does not inflate false positives.`}
      >
        <Table caption="Comparisons">
          <THead>
            <Th>Arm</Th>
            <Th>Lift</Th>
            <Th>95% interval</Th>
            <Th>Relative lift</Th>
            <Th>p (fixed)</Th>
            <Th>p (always valid)</Th>
            <Th>Result</Th>
          </THead>
          <TBody>
            {a.comparisons.map((c) => (
              <Tr key={c.arm}>
                <Td className="font-medium">
                  {c.arm} vs {c.baseline}
                </Td>
                <Td className="tabular-nums">{formatLift(kind, c.lift)}</Td>
                <Td className="tabular-nums">{range(formatLift(kind, c.lift_ci_low), formatLift(kind, c.lift_ci_high), " to ")}</Td>
                <Td className="tabular-nums" title={`95% interval ${pct(c.relative_lift_ci_low)} to ${pct(c.relative_lift_ci_high)}`}>
                  {pct(c.relative_lift)}
                </Td>
                <Td className="tabular-nums">{formatP(c.p_value_adjusted ?? c.p_value)}</Td>
                <Td className="tabular-nums">{formatP(c.sequential_p_value_adjusted ?? c.sequential_p_value)}</Td>
                <Td>
                  {c.significant ? (
                    <Badge tone={(c.lift ?? 0) > 0 ? "green" : "red"}>{(c.lift ?? 0) > 0 ? "better" : "worse"}</Badge>
                  ) : (
                    <Badge tone="gray">{a.ready ? "not significant" : "collecting"}</Badge>
                  )}
                </Td>
              </Tr>
            ))}
          </TBody>
        </Table>
        {a.guardrails.length > 0 && (
          <ul className="space-y-1 text-sm" aria-label="Guardrails">
            {a.guardrails.map((g, i) => (
              <li key={i} className={g.violated ? "text-red-700 dark:text-red-400" : "text-zinc-600 dark:text-zinc-300"}>
                Guardrail {g.metric} on {g.arm}: {g.value === null ? "–" : g.value.toFixed(2)} ms (limit {g.limit.toFixed(2)} ms){g.violated ? " — violated" : " — ok"}
              </li>
            ))}
          </ul>
        )}
      </Card>

      <Card title="Lift over time" description="Cumulative lift of each challenger over the baseline, hour by hour, with its 95% fixed-sample band.">
        <LiftChart timeline={a.timeline} arms={a.comparisons.map((c) => c.arm)} kind={kind} />
      </Card>
    </div>
  );
}
