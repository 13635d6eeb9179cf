import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { requirePageActor } from "@/app/_server/actor";
import { orNotFound } from "@/app/_server/not-found";
import { CompareCurves, type CompareRun, type KeyHistories } from "@/components/tracking/compare-curves";
import { runColor } from "@/components/tracking/format";
import { ParallelCoordinates } from "@/components/tracking/parallel-coordinates";
import { ParamsCompare, type ParamsCompareRun } from "@/components/tracking/params-compare";
import { Alert } from "@/components/ui/alert";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { getExperiment, getRuns, pointsForDrawing, runIdSchema } from "@/lib/tracking";
import { sampleMetricHistories } from "@/lib/tracking/history-sample";

export const metadata: Metadata = { title: "Compare runs" };

const MAX_RUNS = 100;
/**
 * Points drawn per chart across all runs; each run's history is downsampled to its share (100 to
 * 1000). A chart is a few hundred pixels wide: 100 points a line is still one every few pixels,
 * and 100 runs read, send and draw a third fewer points than at 150 (bench/compare-browser.ts).
 */
const POINTS_PER_CHART = 10_000;

function pointsPerSeries(runCount: number): number {
  return Math.max(100, Math.min(1000, Math.floor(POINTS_PER_CHART / Math.max(1, runCount))));
}

function Section({ id, title, description, children }: { id: string; title: string; description?: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className="space-y-3">
      <div>
        <h2 id={id} className="text-lg font-semibold">
          {title}
        </h2>
        {description && <p className="text-sm text-zinc-500 dark:text-zinc-400">{description}</p>}
      </div>
      {children}
    </section>
  );
}

/**
 * The downsampled histories of one metric, as [step, value] pairs (a small payload). One promise
 * per metric: each chart streams in on its own while the rest of the page is already usable.
 */
async function keyHistories(runIds: string[], key: string, perSeries: number): Promise<KeyHistories> {
  const raw = await sampleMetricHistories(runIds, [key], perSeries);
  return Object.fromEntries(Object.entries(raw).map(([runId, byKey]) => [runId, pointsForDrawing(byKey[key]!)]));
}

export default async function ComparePage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ runs?: string | string[] }>;
}) {
  await requirePageActor();
  const [{ id }, sp] = await Promise.all([params, searchParams]);
  const experiment = await orNotFound(getExperiment(id));
  const requested = [...new Set((Array.isArray(sp.runs) ? sp.runs.join(",") : (sp.runs ?? "")).split(",").map((s) => s.trim()).filter(Boolean))];
  const validIds = requested.filter((r) => runIdSchema.safeParse(r).success);
  const considered = validIds.slice(0, MAX_RUNS);
  const runs = await getRuns(considered);
  const missing = considered.length - runs.length + (requested.length - validIds.length);

  const header = (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm text-zinc-500 dark:text-zinc-400">
        <Link href="/experiments" className="link">
          Experiments
        </Link>{" "}
        /{" "}
        <Link href={`/experiments/${experiment.id}`} className="link">
          {experiment.name}
        </Link>{" "}
        / <span>Compare</span>
      </nav>
      <PageHeader
        title={`Compare ${runs.length} ${runs.length === 1 ? "run" : "runs"}`}
        description="Metric curves overlaid, params side by side, and how params relate to a metric."
        actions={
          <Link href={`/experiments/${experiment.id}`} className="btn-secondary">
            Back to runs
          </Link>
        }
      />
    </>
  );

  if (runs.length === 0) {
    return (
      <>
        {header}
        <EmptyState title="No runs to compare">
          <p>
            Select two or more runs with the checkboxes on the{" "}
            <Link href={`/experiments/${experiment.id}`} className="link">
              experiment page
            </Link>{" "}
            and press Compare.
          </p>
        </EmptyState>
      </>
    );
  }

  const colored = runs.map((r, i) => ({ ...r, color: runColor(i) }));
  const paramKeys = [...new Set(runs.flatMap((r) => Object.keys(r.params)))].sort();
  const metricKeys = [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))].sort();
  const compareRuns: ParamsCompareRun[] = colored.map((r) => ({
    id: r.id,
    name: r.name,
    color: r.color,
    params: r.params,
    metrics: Object.fromEntries(Object.entries(r.metrics).map(([k, m]) => [k, m.value])),
  }));
  const curveRuns: CompareRun[] = colored.map((r) => ({ id: r.id, name: r.name, color: r.color }));
  const perSeries = pointsPerSeries(runs.length);

  return (
    <>
      {header}
      <div className="space-y-10">
        {(missing > 0 || validIds.length > MAX_RUNS) && (
          <Alert tone="warning">
            {validIds.length > MAX_RUNS && `Only the first ${MAX_RUNS} runs are compared. `}
            {missing > 0 && `${missing} of the requested runs do not exist and are left out.`}
          </Alert>
        )}
        <Section id="curves-heading" title="Metric curves" description="Each metric against step, one line per run.">
          {metricKeys.length === 0 ? (
            <p className="text-sm text-zinc-500 dark:text-zinc-400">These runs logged no metrics.</p>
          ) : (
            <CompareCurves
              runs={curveRuns}
              metricKeys={metricKeys}
              histories={Object.fromEntries(metricKeys.map((k) => [k, keyHistories(runs.map((r) => r.id), k, perSeries)]))}
              pointsPerSeries={perSeries}
            />
          )}
        </Section>
        <Section id="params-heading" title="Params">
          <ParamsCompare runs={compareRuns} paramKeys={paramKeys} metricKeys={metricKeys} />
        </Section>
        <Section
          id="parallel-heading"
          title="Parallel coordinates"
          description="Each line is a run crossing one axis per param; its colour is the chosen metric."
        >
          <ParallelCoordinates runs={compareRuns} paramKeys={paramKeys} metricKeys={metricKeys} />
        </Section>
      </div>
    </>
  );
}
