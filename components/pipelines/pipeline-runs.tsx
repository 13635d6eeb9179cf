"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Alert } from "@/components/ui/alert";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { LocalTime } from "@/components/ui/time";
import type { PipelineRunInfo, PipelineRunState } from "@/lib/pipelines/types";

type Page = { runs: PipelineRunInfo[]; total: number };

const TONES: Record<PipelineRunState, BadgeTone> = { queued: "amber", running: "blue", succeeded: "green", gated: "purple", failed: "red", cancelled: "gray" };

async function fetchRuns(id: string): Promise<Page> {
  const res = await fetch(`/api/v1/pipelines/${encodeURIComponent(id)}/runs?limit=50`, { cache: "no-store" });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new Error(body?.error?.message ?? `Loading the run history failed (HTTP ${res.status})`);
  }
  return (await res.json()) as Page;
}

const metricText = (m: Record<string, number> | null) =>
  m
    ? Object.entries(m)
        .slice(0, 3)
        .map(([k, v]) => `${k} ${Number(v.toPrecision(4))}`)
        .join(", ")
    : null;

/** The run history of a pipeline, refreshed every two seconds while a run is queued or running. */
export function PipelineRuns({ pipelineId, initial }: { pipelineId: string; initial: Page }) {
  const query = useQuery({
    queryKey: ["pipeline-runs", pipelineId],
    queryFn: () => fetchRuns(pipelineId),
    initialData: initial,
    refetchInterval: (q) => (q.state.data?.runs.some((r) => r.state === "queued" || r.state === "running") ? 2000 : 10_000),
  });
  const runs = query.data?.runs ?? [];
  if (query.error) return <Alert>{query.error.message}</Alert>;
  if (runs.length === 0) {
    return (
      <EmptyState title="No runs yet">
        <p>Run the pipeline now, or wait for its schedule or for a new version of its dataset.</p>
      </EmptyState>
    );
  }
  return (
    <Table caption="Run history">
      <THead>
        <Th>Started</Th>
        <Th>State</Th>
        <Th>Trigger</Th>
        <Th>Data</Th>
        <Th>Test metrics</Th>
        <Th>Model version</Th>
        <Th>Outcome</Th>
      </THead>
      <TBody>
        {runs.map((r) => (
          <Tr key={r.id} data-testid="pipeline-run-row" data-state={r.state}>
            <Td className="whitespace-nowrap">
              <LocalTime value={r.createdAt} />
              {r.jobId && (
                <div>
                  <Link className="link text-xs" href={`/jobs?highlight=${encodeURIComponent(r.jobId)}`}>
                    job {r.jobId.slice(0, 8)}
                  </Link>
                </div>
              )}
            </Td>
            <Td>
              <Badge tone={TONES[r.state] ?? "gray"}>{r.state}</Badge>
            </Td>
            <Td>
              <div>{r.trigger}</div>
              {r.reason && <div className="max-w-48 text-xs text-zinc-500 dark:text-zinc-400">{r.reason}</div>}
            </Td>
            <Td className="whitespace-nowrap font-mono text-xs">{r.dataset ?? "–"}</Td>
            <Td className="text-xs">
              {metricText(r.testMetrics) ?? "–"}
              {r.runId && (
                <div>
                  <Link className="link" href={`/runs/${r.runId}`}>
                    Open run
                  </Link>
                </div>
              )}
            </Td>
            <Td className="whitespace-nowrap">
              {r.modelVersion ? (
                <Link className="link" href={`/models/${encodeURIComponent(r.modelVersion.name)}`}>
                  {r.modelVersion.name} v{r.modelVersion.version}
                  {r.modelVersion.alias ? ` (${r.modelVersion.alias})` : ""}
                </Link>
              ) : (
                "–"
              )}
            </Td>
            <Td className="max-w-96 text-xs break-words" data-testid="pipeline-run-message">
              {r.message ?? ""}
            </Td>
          </Tr>
        ))}
      </TBody>
    </Table>
  );
}
