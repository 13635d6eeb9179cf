"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { LocalTime } from "@/components/ui/time";
import type { StudySummaryJson } from "@/lib/hpo/api";
import { fmt } from "./study-charts";
import { STUDY_TONES } from "./study-view";

type StudyPage = { studies: StudySummaryJson[]; total: number };

const POLL_MS = 3000;

async function fetchStudies(): Promise<StudyPage> {
  const res = await fetch("/api/v1/studies?limit=100", { cache: "no-store", headers: { accept: "application/json" } });
  if (!res.ok) {
    if (res.status === 401) throw new Error("Your session has ended. Sign in again to see studies.");
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new Error(body?.error?.message ?? `Loading studies failed (HTTP ${res.status})`);
  }
  return (await res.json()) as StudyPage;
}

/** All studies, newest first; polls while any of them runs. */
export function StudyList({ initial }: { initial: StudyPage }) {
  const q = useQuery({
    queryKey: ["studies"],
    queryFn: fetchStudies,
    initialData: initial,
    refetchInterval: (query) => (query.state.data?.studies.some((s) => s.state === "running") ? POLL_MS : false),
  });
  const studies = q.data.studies;
  if (studies.length === 0) {
    return (
      <EmptyState title="No studies yet">
        Start one with <code>mlops train --hpo 50</code>, the search option of the training form, or <code>mlops hpo run --study NAME</code>.
      </EmptyState>
    );
  }
  return (
    <div className="space-y-3">
      {q.error ? <Alert tone="error">{(q.error as Error).message}</Alert> : null}
      <Table caption="Studies">
        <THead>
          <Th>Name</Th>
          <Th>State</Th>
          <Th>Direction</Th>
          <Th align="right">Best value</Th>
          <Th align="right">Trials</Th>
          <Th>Objective</Th>
          <Th>Created</Th>
        </THead>
        <TBody>
          {studies.map((s) => {
            const c = s.trial_counts;
            const finished = c.COMPLETE + c.PRUNED + c.FAIL;
            return (
              <Tr key={s.id} data-testid="study-row">
                <Td>
                  <Link className="font-medium text-indigo-600 hover:underline dark:text-indigo-400" href={`/studies/${s.id}`}>
                    {s.name}
                  </Link>
                </Td>
                <Td>
                  <Badge tone={STUDY_TONES[s.state] ?? "gray"}>{s.state}</Badge>
                </Td>
                <Td>{s.direction}</Td>
                <Td align="right" className="tabular-nums">
                  {fmt(s.best_value)}
                </Td>
                <Td align="right" className="tabular-nums" title={`${c.COMPLETE} complete, ${c.PRUNED} pruned, ${c.FAIL} failed, ${c.RUNNING} running`}>
                  {finished}
                  {s.n_trials ? ` / ${s.n_trials}` : ""}
                  {c.RUNNING ? ` (+${c.RUNNING} running)` : ""}
                </Td>
                <Td>{s.objective}</Td>
                <Td>
                  <LocalTime value={s.created_at} />
                </Td>
              </Tr>
            );
          })}
        </TBody>
      </Table>
    </div>
  );
}
