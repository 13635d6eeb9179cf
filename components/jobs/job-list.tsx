"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import clsx from "clsx";
import Link from "next/link";
import { useEffect, useId, useRef, useState, useTransition } from "react";
import type { JobInfo, JobState } from "@/lib/jobs/types";
import type { ServerAction } from "@/components/ui/action-result";
import { Alert } from "@/components/ui/alert";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/empty-state";
import { Field } from "@/components/ui/field";
import { ProgressBar } from "@/components/ui/progress-bar";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { LocalTime } from "@/components/ui/time";

type JobPage = { jobs: JobInfo[]; total: number };

const LIMIT = 50;
const POLL_MS = 1000;

const STATE_TONES: Record<JobState, BadgeTone> = {
  queued: "amber",
  running: "blue",
  succeeded: "green",
  dead: "red",
  cancelled: "gray",
};

async function fetchJobs(state: JobState | ""): Promise<JobPage> {
  const qs = new URLSearchParams({ limit: String(LIMIT) });
  if (state) qs.set("state", state);
  const res = await fetch(`/api/v1/jobs?${qs}`, { cache: "no-store", headers: { accept: "application/json" } });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    if (res.status === 401) throw new Error("Your session has ended. Sign in again to see jobs.");
    throw new Error(body?.error?.message ?? `Loading jobs failed (HTTP ${res.status})`);
  }
  return (await res.json()) as JobPage;
}

/** What a job's result links to: the run it trained and the model version it registered (train, pipeline.run). */
function resultLinks(job: JobInfo): { runId: string | null; model: { name: string; version: number; alias: string | null } | null; note: string | null } {
  const r = (job.result ?? null) as { run_id?: unknown; model_version?: unknown; state?: unknown; pipeline?: unknown } | null;
  const runId = typeof r?.run_id === "string" && /^[0-9a-f]{32}$/.test(r.run_id) ? r.run_id : null;
  const mv = r?.model_version as { name?: unknown; version?: unknown; alias?: unknown } | null | undefined;
  const model = mv && typeof mv.name === "string" && typeof mv.version === "number" ? { name: mv.name, version: mv.version, alias: typeof mv.alias === "string" ? mv.alias : null } : null;
  const note = r?.state === "gated" ? "Stopped at the evaluation gate: not registered" : null;
  return { runId, model, note };
}

function duration(startIso: string | null, endIso: string | null): string | null {
  if (!startIso || !endIso) return null;
  const ms = Date.parse(endIso) - Date.parse(startIso);
  if (!Number.isFinite(ms) || ms < 0) return null;
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return m < 60 ? `${m} min ${Math.round((ms % 60_000) / 1000)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function JobList({
  states,
  initial,
  highlight = null,
  canCancel,
  isAdmin,
  cancelJob,
  runCleanup,
}: {
  states: readonly JobState[];
  initial: JobPage;
  /** A job id to mark and scroll to (the one a form just queued). */
  highlight?: string | null;
  canCancel: boolean;
  isAdmin: boolean;
  cancelJob: ServerAction<{ id: string }, { id: string; state: JobState; cancelRequested: boolean }>;
  runCleanup: ServerAction<Record<string, never>, { id: string }>;
}) {
  const filterId = useId();
  const queryClient = useQueryClient();
  const [state, setState] = useState<JobState | "">("");
  const [message, setMessage] = useState<{ tone: "error" | "success"; text: string } | null>(null);
  const [pendingId, setPendingId] = useState<string | null>(null);
  const [cleanupPending, startCleanup] = useTransition();

  const query = useQuery({
    queryKey: ["jobs", { state, limit: LIMIT }],
    queryFn: () => fetchJobs(state),
    refetchInterval: POLL_MS,
    // The server rendered the unfiltered first page; other filters load on demand.
    initialData: state === "" ? initial : undefined,
    placeholderData: (prev) => prev,
  });

  const refresh = () => queryClient.invalidateQueries({ queryKey: ["jobs"] });

  // Scroll the highlighted job into view once it is in the list.
  const highlightRow = useRef<HTMLTableRowElement | null>(null);
  const scrolled = useRef(false);
  const highlightShown = !!highlight && (query.data?.jobs ?? []).some((j) => j.id === highlight);
  useEffect(() => {
    if (highlightShown && !scrolled.current && highlightRow.current) {
      scrolled.current = true;
      highlightRow.current.scrollIntoView({ block: "center" });
    }
  }, [highlightShown]);

  async function onCancel(job: JobInfo) {
    setPendingId(job.id);
    setMessage(null);
    try {
      const res = await cancelJob({ id: job.id });
      if (!res.ok) setMessage({ tone: "error", text: res.error });
      await refresh();
    } finally {
      setPendingId(null);
    }
  }

  function onCleanup() {
    setMessage(null);
    startCleanup(async () => {
      const res = await runCleanup({});
      setMessage(res.ok ? { tone: "success", text: "Cleanup queued; it appears in the list below." } : { tone: "error", text: res.error });
      await refresh();
    });
  }

  const data = query.data;
  const jobs = data?.jobs ?? [];

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div className="flex items-end gap-3">
          <Field id={filterId} label="State">
            <select
              id={filterId}
              value={state}
              onChange={(e) => setState(e.target.value as JobState | "")}
              className="input w-44"
            >
              <option value="">All states</option>
              {states.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </Field>
          <p className="pb-2 text-sm text-zinc-500 dark:text-zinc-400" aria-live="polite">
            {data ? (data.total > jobs.length ? `Showing the newest ${jobs.length} of ${data.total} jobs` : `${data.total} ${data.total === 1 ? "job" : "jobs"}`) : "Loading…"}
          </p>
        </div>
        {isAdmin && (
          <button type="button" onClick={onCleanup} disabled={cleanupPending} className="btn-secondary">
            {cleanupPending ? "Queuing cleanup…" : "Run cleanup now"}
          </button>
        )}
      </div>

      {message && <Alert tone={message.tone}>{message.text}</Alert>}
      {query.error && <Alert>{query.error.message}</Alert>}

      {data && jobs.length === 0 ? (
        <EmptyState title={state ? `No ${state} jobs` : "No jobs yet"}>
          <p>
            {state
              ? "Pick another state, or show all states."
              : "Jobs appear here when you start a training run, a hyperparameter search, a batch scoring or a drift report. Workers pick them up from the queue and report progress live."}
          </p>
        </EmptyState>
      ) : (
        <Table caption="Jobs">
          <THead>
            <Th>Job</Th>
            <Th>State</Th>
            <Th align="right">Attempts</Th>
            <Th className="w-[32%]">Progress</Th>
            <Th>Times</Th>
            <Th>
              <span className="sr-only">Actions</span>
            </Th>
          </THead>
          <TBody>
            {jobs.map((job) => {
              const active = job.state === "queued" || job.state === "running";
              const retrying = job.state === "queued" && job.attempts > 0 && !!job.error;
              const showError = !!job.error && job.state !== "succeeded";
              const took = duration(job.startedAt, job.finishedAt);
              return (
                <Tr
                  key={job.id}
                  ref={job.id === highlight ? highlightRow : undefined}
                  data-testid="job-row"
                  data-state={job.state}
                  data-job-id={job.id}
                  data-highlighted={job.id === highlight ? "true" : undefined}
                  aria-current={job.id === highlight ? "true" : undefined}
                  className={clsx(job.id === highlight && "bg-indigo-50/70 ring-2 ring-indigo-400 ring-inset dark:bg-indigo-500/10")}
                >
                  <Td>
                    <div className="font-medium">{job.type}</div>
                    <div className="font-mono text-xs text-zinc-400 dark:text-zinc-500" title={job.id}>
                      {job.id.slice(0, 8)}
                    </div>
                  </Td>
                  <Td>
                    <Badge tone={STATE_TONES[job.state] ?? "gray"}>{job.state}</Badge>
                    {job.cancelRequested && job.state === "running" && (
                      <div className="mt-1 whitespace-nowrap text-xs text-amber-700 dark:text-amber-300">cancelling…</div>
                    )}
                    {retrying && <div className="mt-1 whitespace-nowrap text-xs text-amber-700 dark:text-amber-300">retry pending</div>}
                  </Td>
                  <Td align="right" className="whitespace-nowrap">
                    {job.attempts}/{job.maxAttempts}
                  </Td>
                  <Td className="min-w-48">
                    <div className="flex items-center gap-2">
                      <ProgressBar
                        value={job.progress}
                        label={`Progress of ${job.type}`}
                        tone={job.state === "dead" ? "red" : job.state === "succeeded" ? "green" : job.state === "cancelled" ? "gray" : "indigo"}
                      />
                      <span className="w-10 shrink-0 text-right text-xs tabular-nums text-zinc-500 dark:text-zinc-400">
                        {Math.round(job.progress * 100)}%
                      </span>
                    </div>
                    {job.progressMessage && (
                      <p className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">{job.progressMessage}</p>
                    )}
                    {job.state === "succeeded" && <JobResultLinks job={job} />}
                    {showError && (
                      <p
                        className="mt-1 line-clamp-4 font-mono text-xs break-words whitespace-pre-wrap text-red-700 dark:text-red-400"
                        title={job.error ?? undefined}
                        data-testid="job-error"
                      >
                        {retrying ? "Last attempt failed: " : ""}
                        {job.error}
                      </p>
                    )}
                  </Td>
                  <Td className="text-xs">
                    <dl className="grid grid-cols-[auto_1fr] gap-x-2 gap-y-0.5 whitespace-nowrap">
                      <dt className="text-zinc-500 dark:text-zinc-400">Created</dt>
                      <dd><LocalTime value={job.createdAt} /></dd>
                      <dt className="text-zinc-500 dark:text-zinc-400">Started</dt>
                      <dd><LocalTime value={job.startedAt} /></dd>
                      <dt className="text-zinc-500 dark:text-zinc-400">Finished</dt>
                      <dd><LocalTime value={job.finishedAt} /></dd>
                      {took && (
                        <>
                          <dt className="text-zinc-500 dark:text-zinc-400">Took</dt>
                          <dd className="tabular-nums">{took}</dd>
                        </>
                      )}
                    </dl>
                  </Td>
                  <Td align="right">
                    {active && (
                      <button
                        type="button"
                        className="btn-secondary px-2.5 py-1 text-xs"
                        onClick={() => onCancel(job)}
                        disabled={!canCancel || pendingId === job.id || job.cancelRequested}
                        title={canCancel ? undefined : "Only editors and admins can cancel jobs"}
                      >
                        {pendingId === job.id || job.cancelRequested ? "Cancelling…" : "Cancel"}
                      </button>
                    )}
                  </Td>
                </Tr>
              );
            })}
          </TBody>
        </Table>
      )}
    </div>
  );
}

function JobResultLinks({ job }: { job: JobInfo }) {
  const { runId, model, note } = resultLinks(job);
  if (!runId && !model && !note) return null;
  return (
    <p className="mt-1 flex flex-wrap gap-x-3 text-xs" data-testid="job-result">
      {runId && (
        <Link href={`/runs/${runId}`} className="font-medium text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300">
          Open run {runId.slice(0, 8)}
        </Link>
      )}
      {model && (
        <Link href={`/models/${encodeURIComponent(model.name)}`} className="text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300">
          {model.name} v{model.version}
          {model.alias ? ` (${model.alias})` : ""}
        </Link>
      )}
      {note && <span className="text-amber-700 dark:text-amber-300">{note}</span>}
    </p>
  );
}
