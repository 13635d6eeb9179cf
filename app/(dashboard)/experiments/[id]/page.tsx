import type { Metadata } from "next";
import Link from "next/link";
import { requirePageActor } from "@/app/_server/actor";
import { orNotFound } from "@/app/_server/not-found";
import { msToIso } from "@/components/tracking/format";
import { DEFAULT_RUNS_PAGE_SIZE, orderByOf, parseSortParam, type RunSort } from "@/components/tracking/run-sort";
import { RunsTable, type FilterError } from "@/components/tracking/runs-table";
import { TagList } from "@/components/tracking/tag-list";
import { Alert } from "@/components/ui/alert";
import { PageHeader } from "@/components/ui/page-header";
import { LocalTime } from "@/components/ui/time";
import { AppError } from "@/lib/errors";
import { countRuns, getExperiment, searchRuns } from "@/lib/tracking";
import { listColumnKeys } from "@/lib/tracking/history-sample";
import { countRunsAction } from "../actions";

export const metadata: Metadata = { title: "Experiment" };

/** The first page as the server renders it; a filter that does not parse comes back as its message. */
async function firstPage(experimentId: string, filter: string, sort: RunSort | null, view: "active" | "deleted") {
  try {
    const [page, total] = await Promise.all([
      searchRuns({ experimentIds: [experimentId], filter, orderBy: orderByOf(sort), maxResults: DEFAULT_RUNS_PAGE_SIZE, view }),
      countRuns({ experimentIds: [experimentId], filter, view }),
    ]);
    return { page: { runs: page.items, nextPageToken: page.nextPageToken, total }, error: null, at: Date.now() };
  } catch (err) {
    if (err instanceof AppError && err.code === "invalid") {
      const position = (err.details as { position?: unknown } | undefined)?.position;
      const error: FilterError = { message: err.message, position: typeof position === "number" ? position : null };
      return { page: null, error, at: Date.now() };
    }
    throw err;
  }
}

export default async function ExperimentPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requirePageActor();
  const [{ id }, sp] = await Promise.all([params, searchParams]);
  const experiment = await orNotFound(getExperiment(id));
  const view = experiment.lifecycleStage === "deleted" ? "deleted" : "active";
  const filter = typeof sp.filter === "string" ? sp.filter.slice(0, 10_000) : "";
  const sort = parseSortParam(sp.sort, sp.dir);

  // The first page is rendered here so the table shows at once; the client takes over from there.
  const [columns, first] = await Promise.all([
    listColumnKeys([experiment.id]),
    firstPage(experiment.id, filter, sort, view),
  ]);

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm text-zinc-500 dark:text-zinc-400">
        <Link href="/experiments" className="link">
          Experiments
        </Link>{" "}
        / <span>{experiment.name}</span>
      </nav>
      <PageHeader
        title={experiment.name}
        description={
          <>
            ID <span className="font-mono">{experiment.id}</span> · updated <LocalTime value={msToIso(experiment.lastUpdateTime)} />
          </>
        }
      />
      {Object.keys(experiment.tags).some((k) => !k.startsWith("mlflow.")) && (
        <div className="-mt-3 mb-5">
          <TagList tags={experiment.tags} />
        </div>
      )}
      {view === "deleted" && (
        <Alert tone="warning" className="mb-4">
          This experiment is archived: its runs are shown read-only. Restore it from the experiments list to log new runs.
        </Alert>
      )}
      <RunsTable
        experimentId={experiment.id}
        view={view}
        paramKeys={columns.params}
        metricKeys={columns.metrics}
        initialFilter={filter}
        initialSort={sort}
        initial={first.page}
        initialError={first.error}
        renderedAt={first.at}
        countRuns={countRunsAction}
      />
    </>
  );
}
