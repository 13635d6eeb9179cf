"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useMemo } from "react";
import { ParallelCoordinates } from "@/components/tracking/parallel-coordinates";
import type { ParamsCompareRun } from "@/components/tracking/params-compare";
import { Alert } from "@/components/ui/alert";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { LocalTime } from "@/components/ui/time";
import type { StudyDetailJson, StudySummaryJson, TrialJson } from "@/lib/hpo/api";
import { IntermediateValues, OptimizationHistory, ParamImportance, SlicePlots, fmt } from "./study-charts";

const POLL_MS = 2000;

export const TRIAL_TONES: Record<string, BadgeTone> = { RUNNING: "blue", COMPLETE: "green", PRUNED: "amber", FAIL: "red", WAITING: "gray" };
export const STUDY_TONES: Record<string, BadgeTone> = { running: "blue", complete: "green", stopped: "gray" };

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { cache: "no-store", headers: { accept: "application/json" } });
  if (!res.ok) {
    if (res.status === 401) throw new Error("Your session has ended. Sign in again.");
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new Error(body?.error?.message ?? `Loading failed (HTTP ${res.status})`);
  }
  return (await res.json()) as T;
}

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <section className="rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
      <h2 className="mb-3 text-sm font-semibold text-zinc-800 dark:text-zinc-100">{title}</h2>
      {children}
    </section>
  );
}

function displayValue(v: unknown): string {
  if (typeof v === "number") return fmt(v);
  if (v === null) return "null";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

function StudyFacts({ study, bestTrial }: { study: StudySummaryJson; bestTrial: number | null }) {
  const c = study.trial_counts;
  const facts: [string, React.ReactNode][] = [
    ["State", <Badge key="s" tone={STUDY_TONES[study.state] ?? "gray"}>{study.state}</Badge>],
    ["Direction", study.direction],
    ["Best value", bestTrial === null ? "–" : `${fmt(study.best_value)} (trial ${bestTrial})`],
    ["Trials", `${c.COMPLETE} complete · ${c.PRUNED} pruned · ${c.FAIL} failed · ${c.RUNNING} running${study.n_trials ? ` of ${study.n_trials}` : ""}`],
    ["Sampler", displayValue(study.sampler)],
    ["Pruner", displayValue(study.pruner)],
    ["Objective", study.objective],
    ["Created", <LocalTime key="t" value={study.created_at} />],
  ];
  return (
    <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-2 lg:grid-cols-4" data-testid="study-facts">
      {facts.map(([k, v]) => (
        <div key={k}>
          <dt className="text-xs text-zinc-500 dark:text-zinc-400">{k}</dt>
          <dd className="break-words text-zinc-900 dark:text-zinc-100">{v}</dd>
        </div>
      ))}
      {study.parent_run_id ? (
        <div>
          <dt className="text-xs text-zinc-500 dark:text-zinc-400">Parent run</dt>
          <dd>
            <Link className="text-indigo-600 hover:underline dark:text-indigo-400" href={`/runs/${study.parent_run_id}`}>
              {study.parent_run_id.slice(0, 8)}
            </Link>
          </dd>
        </div>
      ) : null}
    </dl>
  );
}

function TrialTable({ trials, params, bestTrial }: { trials: TrialJson[]; params: string[]; bestTrial: number | null }) {
  const rows = [...trials].sort((a, b) => b.number - a.number);
  return (
    <Table caption="Trials">
      <THead>
        <Th>#</Th>
        <Th>State</Th>
        <Th align="right">Value</Th>
        {params.map((p) => (
          <Th key={p}>{p}</Th>
        ))}
        <Th align="right">Steps</Th>
        <Th align="right">Duration</Th>
        <Th>Run</Th>
        <Th>Note</Th>
      </THead>
      <TBody>
        {rows.map((t) => (
          <Tr key={t.id} data-testid="trial-row" className={t.number === bestTrial ? "bg-emerald-50/60 dark:bg-emerald-500/5" : undefined}>
            <Td>{t.number}</Td>
            <Td>
              <Badge tone={TRIAL_TONES[t.state] ?? "gray"}>{t.state}</Badge>
            </Td>
            <Td align="right" className="tabular-nums">
              {fmt(t.value)}
            </Td>
            {params.map((p) => (
              <Td key={p} className="tabular-nums">
                {p in t.params ? displayValue(t.params[p]) : "–"}
              </Td>
            ))}
            <Td align="right">{t.intermediate_values.length || "–"}</Td>
            <Td align="right">{t.duration_ms === null ? "–" : `${(t.duration_ms / 1000).toFixed(1)} s`}</Td>
            <Td>
              {t.run_id ? (
                <Link className="text-indigo-600 hover:underline dark:text-indigo-400" href={`/runs/${t.run_id}`}>
                  {t.run_id.slice(0, 8)}
                </Link>
              ) : (
                "–"
              )}
            </Td>
            <Td className="max-w-xs truncate text-xs text-zinc-500" title={t.fail_reason ?? undefined}>
              {t.retried_from !== null ? `repeats trial ${t.retried_from}. ` : ""}
              {t.fail_reason ?? ""}
            </Td>
          </Tr>
        ))}
      </TBody>
    </Table>
  );
}

/** A study's page body: polls while the study runs, so charts and table move with the trials. */
export function StudyView({ initial }: { initial: StudyDetailJson }) {
  const id = initial.study.id;
  const q = useQuery({
    queryKey: ["study", id],
    queryFn: () => getJson<StudyDetailJson>(`/api/v1/studies/${encodeURIComponent(id)}`),
    initialData: initial,
    refetchInterval: (query) => {
      const d = query.state.data;
      return d && (d.study.state === "running" || d.study.trial_counts.RUNNING > 0) ? POLL_MS : false;
    },
  });
  const data = q.data;
  const params = useMemo(() => [...new Set(data.trials.flatMap((t) => Object.keys(t.params)))].sort(), [data.trials]);
  const runs: ParamsCompareRun[] = useMemo(
    () =>
      data.trials
        .filter((t) => t.state === "COMPLETE" && t.value !== null)
        .map((t) => ({
          id: t.id,
          name: `trial ${t.number}`,
          color: "#4f46e5",
          params: Object.fromEntries(Object.entries(t.params).map(([k, v]) => [k, typeof v === "object" ? JSON.stringify(v) : String(v)])),
          metrics: { objective: t.value! },
        })),
    [data.trials],
  );
  return (
    <div className="space-y-4">
      {q.error ? <Alert tone="error">{(q.error as Error).message}</Alert> : null}
      <Section title="Study">
        <StudyFacts study={data.study} bestTrial={data.best_trial} />
      </Section>
      <div className="grid gap-4 xl:grid-cols-2">
        <Section title="Optimization history">
          <OptimizationHistory trials={data.trials} direction={data.study.direction} />
        </Section>
        <Section title="Intermediate values">
          <IntermediateValues trials={data.trials} />
        </Section>
      </div>
      <Section title="Parallel coordinates">
        {runs.length > 1 ? <ParallelCoordinates runs={runs} paramKeys={params} metricKeys={["objective"]} /> : <p className="text-sm text-zinc-500">Needs at least 2 complete trials.</p>}
      </Section>
      <Section title="Slice plots">
        <SlicePlots trials={data.trials} params={params} />
      </Section>
      <Section title="Parameter importance (fANOVA)">
        <ParamImportance importance={data.importance} />
      </Section>
      <Section title="Trials">
        <TrialTable trials={data.trials} params={params} bestTrial={data.best_trial} />
      </Section>
    </div>
  );
}
