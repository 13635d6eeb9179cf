import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { can, requirePageActor } from "@/app/_server/actor";
import { PipelineActions } from "@/components/pipelines/pipeline-actions";
import { PipelineRuns } from "@/components/pipelines/pipeline-runs";
import { Badge } from "@/components/ui/badge";
import { PageHeader } from "@/components/ui/page-header";
import { LocalTime } from "@/components/ui/time";
import { AppError } from "@/lib/errors";
import { getPipeline, listPipelineRuns } from "@/lib/pipelines";
import { deletePipelineAction, runPipelineAction, updatePipelineAction } from "../actions";

export const dynamic = "force-dynamic";

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  return { title: `Pipeline ${decodeURIComponent((await params).id)}` };
}

function Item({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt className="text-xs text-zinc-500 dark:text-zinc-400">{label}</dt>
      <dd className="mt-0.5 text-sm break-words">{children}</dd>
    </div>
  );
}

export default async function PipelinePage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePageActor();
  const ref = decodeURIComponent((await params).id);
  const pipeline = await getPipeline(ref).catch((err) => {
    if (err instanceof AppError && err.code === "not_found") notFound();
    throw err;
  });
  const runs = await listPipelineRuns(pipeline.id, { limit: 50 });
  const d = pipeline.definition;
  return (
    <>
      <PageHeader
        title={pipeline.name}
        description={
          <>
            Trains <span className="font-mono">{d.target}</span> on dataset{" "}
            <Link className="link" href={`/datasets/${encodeURIComponent(d.dataset.name)}`}>
              {d.dataset.name}
            </Link>{" "}
            ({d.dataset.version === "latest" ? "newest version" : `version ${d.dataset.version}`}). {pipeline.enabled ? "" : "Disabled: only manual runs start it."}
          </>
        }
      />
      <div className="space-y-6">
        <dl className="card grid gap-4 p-4 sm:grid-cols-2 lg:grid-cols-4">
          <Item label="Family">
            {d.family}
            {d.search && <span className="text-zinc-500"> · search: {d.search.trials} trials, refit of the best</span>}
          </Item>
          <Item label="Hyperparameters">
            <code className="text-xs">{JSON.stringify(d.params)}</code>
          </Item>
          <Item label="Split and seed">
            test {d.split.test}, validation {d.split.validation}, seed {d.seed}
          </Item>
          <Item label="Experiment">{d.experiment ?? d.dataset.name}</Item>
          <Item label="Evaluation gate">
            {d.gate ? `test ${d.gate.metric}${d.gate.min !== undefined ? ` ≥ ${d.gate.min}` : ""}${d.gate.max !== undefined ? ` ≤ ${d.gate.max}` : ""}` : "none"}
          </Item>
          <Item label="Registers">
            {d.register ? (
              <Link className="link" href={`/models/${encodeURIComponent(d.register.name)}`}>
                {d.register.name}
              </Link>
            ) : (
              "nothing"
            )}
            {d.register && <span className="text-zinc-500"> · promote: {d.promote}</span>}
          </Item>
          <Item label="Schedule (UTC)">
            {pipeline.schedule ? <code>{pipeline.schedule}</code> : "none"}
            {pipeline.enabled && pipeline.nextRunAt && (
              <div className="text-xs text-zinc-500">
                next <LocalTime value={pipeline.nextRunAt} />
              </div>
            )}
          </Item>
          <Item label="Triggers">
            {pipeline.triggers.onNewDatasetVersion ? <Badge tone="indigo">new dataset version</Badge> : "manual and schedule only"}
          </Item>
        </dl>
        {can(actor, "editor") && (
          <PipelineActions
            id={pipeline.id}
            schedule={pipeline.schedule}
            enabled={pipeline.enabled}
            run={runPipelineAction}
            update={updatePipelineAction}
            remove={deletePipelineAction}
          />
        )}
        <section aria-labelledby="history" className="space-y-3">
          <h2 id="history" className="text-lg font-semibold">
            Run history
          </h2>
          <PipelineRuns pipelineId={pipeline.id} initial={runs} />
        </section>
      </div>
    </>
  );
}
