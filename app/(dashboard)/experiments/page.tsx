import type { Metadata } from "next";
import Link from "next/link";
import { can, requirePageActor } from "@/app/_server/actor";
import { requestOrigin } from "@/app/_server/origin";
import { ArchiveExperimentButton } from "@/components/tracking/archive-experiment-button";
import { LoggingGuide } from "@/components/tracking/logging-guide";
import { msToIso } from "@/components/tracking/format";
import { TagList } from "@/components/tracking/tag-list";
import { EmptyState } from "@/components/ui/empty-state";
import { formatCount } from "@/components/ui/format";
import { PageHeader } from "@/components/ui/page-header";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { LocalTime } from "@/components/ui/time";
import { runCountsByExperiment } from "@/lib/overview";
import { DEFAULT_EXPERIMENT_ID, listExperiments, type Experiment } from "@/lib/tracking";
import { archiveExperimentAction, restoreExperimentAction } from "./actions";

export const metadata: Metadata = { title: "Experiments" };

export default async function ExperimentsPage({ searchParams }: { searchParams: Promise<{ archived?: string }> }) {
  const actor = await requirePageActor();
  const showArchived = (await searchParams).archived === "1";
  const [active, archived, counts, origin] = await Promise.all([
    listExperiments({ view: "active", maxResults: 1000 }),
    listExperiments({ view: "deleted", maxResults: 1000 }),
    runCountsByExperiment(),
    requestOrigin(),
  ]);
  const canEdit = can(actor, "editor");
  const runsOf = (e: Experiment) => (e.lifecycleStage === "deleted" ? counts[e.id]?.deleted : counts[e.id]?.active) ?? 0;
  const nothingLogged = active.items.every((e) => runsOf(e) === 0);
  // Most recently touched first: that is where work is happening.
  const byUpdate = (a: Experiment, b: Experiment) => b.lastUpdateTime - a.lastUpdateTime;

  const table = (experiments: Experiment[], caption: string) => (
    <Table caption={caption}>
      <THead>
        <Th>Name</Th>
        <Th>ID</Th>
        <Th align="right">Runs</Th>
        <Th>Last update</Th>
        <Th>Tags</Th>
        <Th>
          <span className="sr-only">Actions</span>
        </Th>
      </THead>
      <TBody>
        {experiments.map((e) => {
          const isArchived = e.lifecycleStage === "deleted";
          return (
            <Tr key={e.id} data-testid="experiment-row" data-experiment-id={e.id}>
              <Td>
                <Link href={`/experiments/${e.id}`} className="link">
                  {e.name}
                </Link>
              </Td>
              <Td className="font-mono text-xs text-zinc-500 dark:text-zinc-400">{e.id}</Td>
              <Td align="right">{formatCount(runsOf(e))}</Td>
              <Td>
                <LocalTime value={msToIso(e.lastUpdateTime)} />
              </Td>
              <Td>
                <TagList tags={e.tags} />
              </Td>
              <Td align="right">
                <ArchiveExperimentButton
                  id={e.id}
                  name={e.name}
                  archived={isArchived}
                  canEdit={canEdit}
                  disabledReason={e.id === DEFAULT_EXPERIMENT_ID ? "The default experiment cannot be archived" : undefined}
                  run={isArchived ? restoreExperimentAction : archiveExperimentAction}
                />
              </Td>
            </Tr>
          );
        })}
      </TBody>
    </Table>
  );

  return (
    <>
      <PageHeader
        title="Experiments"
        description="Groups of runs: the parameters, metrics and artifacts of each training attempt."
        actions={
          <>
            {archived.items.length > 0 && (
              <Link href={showArchived ? "/experiments" : "/experiments?archived=1"} className="btn-secondary" scroll={false}>
                {showArchived ? "Hide archived" : `Show archived (${archived.items.length})`}
              </Link>
            )}
            <Link href="/train" className="btn-primary">New training run</Link>
          </>
        }
      />
      <div className="space-y-6">
        {nothingLogged && (
          <EmptyState title="No runs logged yet">
            <LoggingGuide origin={origin} />
          </EmptyState>
        )}
        {!(nothingLogged && active.items.length <= 1) && table([...active.items].sort(byUpdate), "Experiments")}
        {showArchived && archived.items.length > 0 && (
          <section aria-labelledby="archived-heading" className="space-y-3">
            <h2 id="archived-heading" className="text-base font-semibold">
              Archived experiments
            </h2>
            <p className="text-sm text-zinc-500 dark:text-zinc-400">
              Archived experiments and their runs are hidden from searches; restoring brings both back.
            </p>
            {table([...archived.items].sort(byUpdate), "Archived experiments")}
          </section>
        )}
      </div>
    </>
  );
}
