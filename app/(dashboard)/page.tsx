import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { can, requirePageActor } from "@/app/_server/actor";
import { requestOrigin } from "@/app/_server/origin";
import { Code } from "@/components/ui/code";
import { PageHeader } from "@/components/ui/page-header";
import { StatCard } from "@/components/ui/stat-card";
import { LoadDemo } from "@/components/demo/load-demo";
import { activeDemoJob } from "@/lib/demo";
import { overviewCounts } from "@/lib/overview";
import { loadDemoAction } from "./actions";

export const metadata: Metadata = { title: "Overview" };

export default async function OverviewPage() {
  const actor = await requirePageActor();
  const [counts, origin, demoJob] = await Promise.all([overviewCounts(), requestOrigin(), activeDemoJob()]);
  // The demo is offered to admins while the instance is empty (or while it is being loaded).
  const offerDemo = can(actor, "admin") && (demoJob !== null || (counts.runs === 0 && counts.models === 0 && counts.datasets === 0));

  const steps: { title: string; done: boolean; body: ReactNode }[] = [
    {
      title: "Upload a dataset",
      done: counts.datasets > 0,
      body: (
        <>
          Upload a CSV as a dataset: it is versioned, profiled and validated, so every run records exactly which data
          it trained on. See <Link href="/datasets" className="link">Datasets</Link>.
        </>
      ),
    },
    {
      title: "Train a model",
      done: counts.runs > 0,
      body: (
        <>
          Run <Code>npx mlops train ...</Code> (see <Code>npx mlops --help</Code>), or log runs from Python with the MLflow
          client: <Code>MLFLOW_TRACKING_URI={origin}</Code>.
        </>
      ),
    },
    {
      title: "Register and promote the best version",
      done: counts.models > 0,
      body: (
        <>
          Compare runs in <Link href="/experiments" className="link">Experiments</Link>, register the best one, and give it
          the <Code>champion</Code> alias on the <Link href="/models" className="link">Models</Link> page.
        </>
      ),
    },
    {
      title: "Create an API key in Settings",
      done: counts.activeApiKeys > 0,
      body: (
        <>
          Scripts, CI and the predict API authenticate with <Code>Authorization: Bearer &lt;key&gt;</Code>.{" "}
          {can(actor, "admin") ? (
            <Link href="/settings/api-keys" className="link">Create a key</Link>
          ) : (
            "Ask an admin to create one."
          )}
        </>
      ),
    },
    {
      title: "Watch for drift",
      done: counts.driftReports > 0,
      body: (
        <>
          Once a model serves traffic, drift reports compare live inputs with the training data; see{" "}
          <Link href="/drift" className="link">Drift</Link>.
        </>
      ),
    },
  ];
  const doneCount = steps.filter((s) => s.done).length;

  return (
    <>
      <PageHeader title="Overview" description="What is in this workspace, and what to do next." />
      <section aria-label="Counts" className="grid grid-cols-2 gap-4 lg:grid-cols-3">
        <StatCard label="Experiments" value={counts.experiments} href="/experiments" />
        <StatCard label="Runs" value={counts.runs} href="/experiments" />
        <StatCard label="Registered models" value={counts.models} href="/models" />
        <StatCard label="Datasets" value={counts.datasets} href="/datasets" />
        <StatCard label="Jobs queued" value={counts.jobsQueued} href="/jobs" hint="Waiting for a worker" />
        <StatCard label="Jobs running" value={counts.jobsRunning} href="/jobs" hint="Being worked on now" />
      </section>

      {offerDemo && <LoadDemo load={loadDemoAction} activeJobId={demoJob} />}

      <section aria-labelledby="getting-started" className="card mt-8 p-6">
        <div className="flex items-baseline justify-between gap-4">
          <h2 id="getting-started" className="text-lg font-semibold">Getting started</h2>
          <span className="text-sm text-zinc-500 dark:text-zinc-400">
            {doneCount} of {steps.length} done
          </span>
        </div>
        <ol className="mt-4 space-y-4">
          {steps.map((s, i) => (
            <li key={s.title} className="flex gap-3">
              <span
                aria-hidden="true"
                className={
                  s.done
                    ? "flex size-6 shrink-0 items-center justify-center rounded-full bg-emerald-500 text-xs font-semibold text-white"
                    : "flex size-6 shrink-0 items-center justify-center rounded-full border border-zinc-300 text-xs font-semibold text-zinc-500 dark:border-zinc-700 dark:text-zinc-400"
                }
              >
                {s.done ? "✓" : i + 1}
              </span>
              <div className="min-w-0">
                <h3 className={s.done ? "text-sm font-medium text-zinc-500 dark:text-zinc-400" : "text-sm font-medium"}>
                  {s.title}
                  {s.done && <span className="sr-only"> (done)</span>}
                </h3>
                <p className="mt-0.5 text-sm text-zinc-600 dark:text-zinc-400">{s.body}</p>
              </div>
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}
