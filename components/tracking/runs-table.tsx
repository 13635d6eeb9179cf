"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import clsx from "clsx";
import Link from "next/link";
import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from "react";
import type { Run } from "@/lib/tracking";
import type { ServerAction } from "@/components/ui/action-result";
import { Alert } from "@/components/ui/alert";
import { formatCount } from "@/components/ui/format";
import { LocalTime } from "@/components/ui/time";
import { useHydrated } from "@/components/ui/use-hydrated";
import { ColumnPicker, useStoredColumns } from "./column-picker";
import { formatDuration, formatMetric, msToIso } from "./format";
import { RunStatusBadge } from "./run-status-badge";
import { DEFAULT_RUNS_PAGE_SIZE, orderByOf, RUNS_PAGE_SIZES, sortParams, type RunSort, type SortEntity } from "./run-sort";

const POLL_MS = 2000;
const COUNT_POLL_MS = 10_000;
const MAX_COMPARE = 100;

export interface RunsPage {
  runs: Run[];
  nextPageToken: string | null;
}

export interface FilterError {
  message: string;
  position: number | null;
}

class SearchError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly position: number | null,
  ) {
    super(message);
  }
}

async function searchRuns(body: object, signal: AbortSignal): Promise<RunsPage> {
  const res = await fetch("/api/v1/runs/search", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify(body),
    cache: "no-store",
    signal,
  });
  const json = (await res.json().catch(() => null)) as
    | (RunsPage & { error?: { message?: string; details?: { position?: unknown } } })
    | null;
  if (!res.ok) {
    if (res.status === 401) throw new SearchError("Your session has ended. Sign in again to see runs.", 401, null);
    const position = json?.error?.details?.position;
    throw new SearchError(json?.error?.message ?? `Loading runs failed (HTTP ${res.status})`, res.status, typeof position === "number" ? position : null);
  }
  return json as RunsPage;
}

/** The filter text with a caret under the position the parser stopped at. */
function FilterErrorView({ error, filter }: { error: FilterError; filter: string }) {
  return (
    <Alert>
      <p data-testid="filter-error">{error.message}</p>
      {error.position !== null && error.position <= filter.length + 1 && (
        <pre className="mt-2 overflow-x-auto font-mono text-xs" aria-hidden="true">
          {filter}
          {"\n"}
          {" ".repeat(Math.max(0, error.position - 1))}^
        </pre>
      )}
    </Alert>
  );
}

type Column = { id: string; entity: "params" | "metrics"; key: string };

export function RunsTable({
  experimentId,
  view,
  paramKeys,
  metricKeys,
  initialFilter,
  initialSort,
  initial,
  initialError,
  renderedAt,
  countRuns,
}: {
  experimentId: string;
  view: "active" | "deleted";
  paramKeys: string[];
  metricKeys: string[];
  initialFilter: string;
  initialSort: RunSort | null;
  initial: (RunsPage & { total: number }) | null;
  initialError: FilterError | null;
  /** When the server read the first page: running durations then render the same on both sides. */
  renderedAt: number;
  countRuns: ServerAction<{ experimentId: string; filter: string; view: "active" | "deleted" }, number>;
}) {
  const ids = useId();
  const hydrated = useHydrated();
  const [draft, setDraft] = useState(initialFilter);
  const [filter, setFilter] = useState(initialFilter);
  const [sort, setSort] = useState<RunSort | null>(initialSort);
  const [pageSize, setPageSize] = useState<number>(DEFAULT_RUNS_PAGE_SIZE);
  // Page tokens of the pages visited so far; the first page has none. "Previous" pops one.
  const [tokens, setTokens] = useState<(string | null)[]>([null]);
  const [selected, setSelected] = useState<Map<string, string>>(() => new Map());
  const token = tokens[tokens.length - 1] ?? null;

  const isInitial = filter === initialFilter && sort === initialSort && pageSize === DEFAULT_RUNS_PAGE_SIZE && token === null;
  const body = { experimentIds: [experimentId], filter, orderBy: orderByOf(sort), maxResults: pageSize, pageToken: token ?? undefined, view };
  const runsQuery = useQuery({
    queryKey: ["runs", body],
    queryFn: ({ signal }) => searchRuns(body, signal),
    initialData: isInitial && initial ? { runs: initial.runs, nextPageToken: initial.nextPageToken } : undefined,
    initialDataUpdatedAt: renderedAt,
    // The server already found this filter invalid: asking again would only repeat the error.
    enabled: !(isInitial && initialError),
    placeholderData: keepPreviousData,
    // Poll only while a run on this page is still running: finished pages cost nothing.
    refetchInterval: (q) => (q.state.data?.runs.some((r) => r.status === "RUNNING") ? POLL_MS : false),
    retry: (n, err) => !(err instanceof SearchError && err.status < 500) && n < 2,
  });
  const live = !!runsQuery.data?.runs.some((r) => r.status === "RUNNING");

  const pageRuns = runsQuery.data?.runs;
  // The server lists the names the newest runs logged; names only older runs have join as their pages show.
  const allColumns = useMemo<Column[]>(() => {
    const union = (known: string[], more: string[]) => (more.every((k) => known.includes(k)) ? known : [...new Set([...known, ...more])].sort());
    const params = union(paramKeys, pageRuns?.flatMap((r) => Object.keys(r.params)) ?? []);
    const metrics = union(metricKeys, pageRuns?.flatMap((r) => Object.keys(r.metrics)) ?? []);
    return [
      ...params.map((key) => ({ id: `params:${key}`, entity: "params" as const, key })),
      ...metrics.map((key) => ({ id: `metrics:${key}`, entity: "metrics" as const, key })),
    ];
  }, [paramKeys, metricKeys, pageRuns]);
  // Until someone picks columns: the params that differ between the first page's runs (what tells
  // the runs apart) and the metrics most runs logged, test metrics first.
  const firstRuns = initial?.runs;
  const defaultColumns = useMemo(() => {
    const runs = firstRuns ?? [];
    const distinct = (k: string) => new Set(runs.map((r) => r.params[k] ?? "")).size;
    const logged = (k: string) => runs.filter((r) => k in r.metrics).length;
    const params = [...paramKeys].sort((a, b) => distinct(b) - distinct(a) || a.localeCompare(b));
    const metrics = [...metricKeys].sort((a, b) => logged(b) - logged(a) || +b.startsWith("test_") - +a.startsWith("test_") || a.localeCompare(b));
    return [...params.slice(0, 6).map((k) => `params:${k}`), ...metrics.slice(0, 6).map((k) => `metrics:${k}`)];
  }, [paramKeys, metricKeys, firstRuns]);
  const [visibleIds, setVisibleIds] = useStoredColumns(`mlops.runs-columns.${experimentId}`, defaultColumns);
  const visible = allColumns.filter((c) => visibleIds.includes(c.id));
  const paramCols = visible.filter((c) => c.entity === "params");
  const metricCols = visible.filter((c) => c.entity === "metrics");

  const countQuery = useQuery({
    queryKey: ["run-count", experimentId, view, filter],
    queryFn: async () => {
      const res = await countRuns({ experimentId, filter, view });
      if (!res.ok) throw new Error(res.error);
      return res.data;
    },
    initialData: filter === initialFilter && initial ? initial.total : undefined,
    enabled: !(filter === initialFilter && initialError),
    refetchInterval: live ? COUNT_POLL_MS : false,
    retry: false,
  });

  // Filter and sort live in the address, so a view can be shared and survives a reload.
  useEffect(() => {
    const qs = new URLSearchParams({ ...(filter ? { filter } : {}), ...sortParams(sort) }).toString();
    const url = `${window.location.pathname}${qs ? `?${qs}` : ""}`;
    if (url !== `${window.location.pathname}${window.location.search}`) window.history.replaceState(null, "", url);
  }, [filter, sort]);

  const error: FilterError | null =
    runsQuery.error instanceof SearchError
      ? { message: runsQuery.error.message, position: runsQuery.error.position }
      : runsQuery.error
        ? { message: runsQuery.error.message, position: null }
        : isInitial && !initial
          ? initialError
          : null;
  const page = error ? null : runsQuery.data;
  const runs = page?.runs ?? [];
  const pageIndex = tokens.length - 1;
  const now = runsQuery.dataUpdatedAt;

  function applyFilter(e: FormEvent) {
    e.preventDefault();
    setFilter(draft.trim());
    setTokens([null]);
  }

  function clearFilter() {
    setDraft("");
    setFilter("");
    setTokens([null]);
  }

  function toggleSort(entity: SortEntity, key: string) {
    setSort((s) => (s && s.entity === entity && s.key === key ? { ...s, descending: !s.descending } : { entity, key, descending: true }));
    setTokens([null]);
  }

  function toggleRun(run: Run) {
    setSelected((prev) => {
      const next = new Map(prev);
      if (next.has(run.id)) next.delete(run.id);
      else next.set(run.id, run.name);
      return next;
    });
  }

  const allOnPage = runs.length > 0 && runs.every((r) => selected.has(r.id));
  const someOnPage = runs.some((r) => selected.has(r.id));
  const headerBox = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (headerBox.current) headerBox.current.indeterminate = someOnPage && !allOnPage;
  }, [someOnPage, allOnPage]);

  function togglePage() {
    setSelected((prev) => {
      const next = new Map(prev);
      if (allOnPage) runs.forEach((r) => next.delete(r.id));
      else runs.forEach((r) => next.set(r.id, r.name));
      return next;
    });
  }

  const compareIds = [...selected.keys()];
  const canCompare = compareIds.length >= 2 && compareIds.length <= MAX_COMPARE;
  const compareHint =
    compareIds.length < 2 ? "Select at least two runs to compare" : compareIds.length > MAX_COMPARE ? `Compare at most ${MAX_COMPARE} runs` : undefined;

  const sortHeader = (entity: SortEntity, key: string, label: string, align?: "right") => {
    const active = sort?.entity === entity && sort.key === key;
    return (
      <th
        key={`${entity}:${key}`}
        scope="col"
        aria-sort={active ? (sort!.descending ? "descending" : "ascending") : "none"}
        className={clsx("whitespace-nowrap px-3 py-2 text-xs font-medium text-zinc-500 dark:text-zinc-400", align === "right" ? "text-right" : "text-left")}
      >
        <button
          type="button"
          onClick={() => toggleSort(entity, key)}
          title={`Sort by ${entity === "attributes" ? label.toLowerCase() : `${entity}.${key}`}`}
          className={clsx(
            "inline-flex max-w-48 items-center gap-1 rounded hover:text-zinc-900 dark:hover:text-zinc-100",
            active && "text-indigo-600 dark:text-indigo-400",
          )}
        >
          <span className="truncate">{label}</span>
          <span aria-hidden="true" className={clsx("text-[10px]", !active && "opacity-0")}>
            {active && !sort!.descending ? "▲" : "▼"}
          </span>
        </button>
      </th>
    );
  };

  const total = countQuery.data;
  const from = pageIndex * pageSize + 1;

  return (
    <div className="space-y-4">
      <form onSubmit={applyFilter} className="card space-y-2 p-4" role="search" aria-label="Filter runs">
        <label htmlFor={`${ids}-filter`} className="block text-sm font-medium">
          Filter
        </label>
        <div className="flex flex-wrap gap-2">
          <input
            id={`${ids}-filter`}
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            placeholder="metrics.accuracy > 0.9 and params.lr = '0.01'"
            spellCheck={false}
            autoComplete="off"
            aria-describedby={`${ids}-filter-help`}
            className="input min-w-64 flex-1 font-mono"
          />
          <button type="submit" className="btn-primary" disabled={!hydrated}>
            Apply
          </button>
          {(filter || draft) && (
            <button type="button" onClick={clearFilter} className="btn-secondary">
              Clear
            </button>
          )}
        </div>
        <p id={`${ids}-filter-help`} className="text-xs text-zinc-500 dark:text-zinc-400">
          Conditions joined by <code className="font-mono">and</code> over <code className="font-mono">metrics.</code>,{" "}
          <code className="font-mono">params.</code>, <code className="font-mono">tags.</code> and{" "}
          <code className="font-mono">attributes.</code> (status, run_name, start_time…). Strings in quotes; operators ={" "}
          != &lt; &lt;= &gt; &gt;= LIKE ILIKE IN.
        </p>
      </form>

      {error && <FilterErrorView error={error} filter={filter} />}

      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="flex flex-wrap items-center gap-3 text-sm text-zinc-500 dark:text-zinc-400">
          <span aria-live="polite" data-testid="runs-count">
            {total === undefined ? (countQuery.isError || error ? "" : "Counting runs…") : `${formatCount(total)} ${total === 1 ? "run" : "runs"}`}
            {filter && total !== undefined ? " match" : ""}
          </span>
          {live && (
            <span className="inline-flex items-center gap-1.5 text-sky-700 dark:text-sky-300" title="Refreshes every 2 seconds while a run on this page is running">
              <span className="size-2 animate-pulse rounded-full bg-current" aria-hidden="true" />
              Live
            </span>
          )}
          {runsQuery.isFetching && !live && <span>Loading…</span>}
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <ColumnPicker columns={allColumns} visible={visibleIds} onChange={setVisibleIds} />
          {selected.size > 0 && (
            <button type="button" className="btn-secondary" onClick={() => setSelected(new Map())}>
              Clear selection
            </button>
          )}
          {canCompare ? (
            <Link href={`/experiments/${experimentId}/compare?runs=${compareIds.join(",")}`} className="btn-primary">
              Compare ({compareIds.length})
            </Link>
          ) : (
            <button type="button" className="btn-primary" disabled title={compareHint}>
              Compare ({compareIds.length})
            </button>
          )}
        </div>
      </div>

      <div className="card relative overflow-x-auto">
        <table className="min-w-full text-sm">
          <caption className="sr-only">Runs of this experiment</caption>
          <thead className="bg-zinc-50/80 dark:bg-zinc-900/60">
            {(paramCols.length > 0 || metricCols.length > 0) && (
              <tr className="border-b border-zinc-200 text-[11px] uppercase tracking-wide text-zinc-400 dark:border-zinc-800 dark:text-zinc-500">
                <td colSpan={5} />
                {paramCols.length > 0 && (
                  <th scope="colgroup" colSpan={paramCols.length} className="border-l border-zinc-200 px-3 pt-2 text-left font-medium dark:border-zinc-800">
                    Params
                  </th>
                )}
                {metricCols.length > 0 && (
                  <th scope="colgroup" colSpan={metricCols.length} className="border-l border-zinc-200 px-3 pt-2 text-left font-medium dark:border-zinc-800">
                    Metrics (latest)
                  </th>
                )}
              </tr>
            )}
            <tr className="border-b border-zinc-200 dark:border-zinc-800">
              <th scope="col" className="w-10 px-3 py-2">
                <input
                  ref={headerBox}
                  type="checkbox"
                  checked={allOnPage}
                  onChange={togglePage}
                  disabled={runs.length === 0 || !hydrated}
                  aria-label="Select all runs on this page"
                  className="size-4 accent-indigo-600"
                />
              </th>
              {sortHeader("attributes", "run_name", "Run")}
              <th scope="col" className="px-3 py-2 text-left text-xs font-medium text-zinc-500 dark:text-zinc-400">
                Status
              </th>
              {sortHeader("attributes", "start_time", "Started")}
              <th scope="col" className="px-3 py-2 text-right text-xs font-medium text-zinc-500 dark:text-zinc-400">
                Duration
              </th>
              {paramCols.map((c) => sortHeader("params", c.key, c.key))}
              {metricCols.map((c) => sortHeader("metrics", c.key, c.key, "right"))}
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800/80">
            {runs.map((run) => {
              const isSelected = selected.has(run.id);
              const end = run.endTime ?? (run.status === "RUNNING" ? now : null);
              return (
                <tr
                  key={run.id}
                  data-testid="run-row"
                  data-run-id={run.id}
                  data-status={run.status}
                  className={clsx("hover:bg-zinc-50/60 dark:hover:bg-zinc-800/30", isSelected && "bg-indigo-50/60 dark:bg-indigo-500/10")}
                >
                  <td className="px-3 py-2">
                    <input
                      type="checkbox"
                      checked={isSelected}
                      onChange={() => toggleRun(run)}
                      disabled={!hydrated}
                      aria-label={`Select run ${run.name}`}
                      className="size-4 accent-indigo-600"
                    />
                  </td>
                  <td className="max-w-64 px-3 py-2">
                    <Link href={`/runs/${run.id}`} className="link block truncate" title={run.name}>
                      {run.name}
                    </Link>
                    {run.parentRunId && <div className="text-xs text-zinc-400 dark:text-zinc-500">child run</div>}
                  </td>
                  <td className="px-3 py-2">
                    <RunStatusBadge status={run.status} />
                  </td>
                  <td className="px-3 py-2">
                    <LocalTime value={msToIso(run.startTime)} />
                  </td>
                  <td className="whitespace-nowrap px-3 py-2 text-right tabular-nums">{end ? formatDuration(end - run.startTime) : "–"}</td>
                  {paramCols.map((c, i) => {
                    const v = run.params[c.key];
                    return (
                      <td
                        key={c.id}
                        className={clsx("max-w-48 truncate px-3 py-2 font-mono text-xs", i === 0 && "border-l border-zinc-100 dark:border-zinc-800")}
                        title={v}
                      >
                        {v ?? <span className="text-zinc-300 dark:text-zinc-600">–</span>}
                      </td>
                    );
                  })}
                  {metricCols.map((c, i) => {
                    const m = run.metrics[c.key];
                    return (
                      <td
                        key={c.id}
                        className={clsx("px-3 py-2 text-right tabular-nums", i === 0 && "border-l border-zinc-100 dark:border-zinc-800")}
                        title={m ? `step ${m.step}` : undefined}
                      >
                        {m ? formatMetric(m.value) : <span className="text-zinc-300 dark:text-zinc-600">–</span>}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
        {page && runs.length === 0 && (
          <p className="px-4 py-10 text-center text-sm text-zinc-500 dark:text-zinc-400">
            {filter ? "No runs match this filter." : view === "deleted" ? "This archived experiment has no runs." : "No runs in this experiment yet."}
          </p>
        )}
        {!page && !error && <p className="px-4 py-10 text-center text-sm text-zinc-500 dark:text-zinc-400">Loading runs…</p>}
      </div>

      <nav aria-label="Pages of runs" className="flex flex-wrap items-center justify-between gap-3 text-sm">
        <div className="flex items-center gap-2">
          <label htmlFor={`${ids}-size`} className="text-zinc-500 dark:text-zinc-400">
            Rows per page
          </label>
          <select
            id={`${ids}-size`}
            value={pageSize}
            onChange={(e) => {
              setPageSize(Number(e.target.value));
              setTokens([null]);
            }}
            className="input w-20 py-1"
          >
            {RUNS_PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
        <div className="flex items-center gap-3">
          <span className="tabular-nums text-zinc-500 dark:text-zinc-400">
            {runs.length > 0
              ? `${formatCount(from)}–${formatCount(from + runs.length - 1)}${total !== undefined ? ` of ${formatCount(total)}` : ""}`
              : `Page ${pageIndex + 1}`}
          </span>
          <button
            type="button"
            className="btn-secondary py-1"
            aria-label="Previous page"
            disabled={pageIndex === 0}
            onClick={() => setTokens((t) => t.slice(0, -1))}
          >
            Previous
          </button>
          <button
            type="button"
            className="btn-secondary py-1"
            aria-label="Next page"
            disabled={!page?.nextPageToken || runsQuery.isPlaceholderData}
            onClick={() => page?.nextPageToken && setTokens((t) => [...t, page.nextPageToken])}
          >
            Next
          </button>
        </div>
      </nav>
    </div>
  );
}
