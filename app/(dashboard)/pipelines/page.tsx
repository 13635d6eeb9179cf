import type { Metadata } from "next";
import Link from "next/link";
import { can, requirePageActor } from "@/app/_server/actor";
import { Badge } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { LocalTime } from "@/components/ui/time";
import { listPipelines } from "@/lib/pipelines";

export const metadata: Metadata = { title: "Pipelines" };
export const dynamic = "force-dynamic";

export default async function PipelinesPage() {
  const actor = await requirePageActor();
  const { pipelines } = await listPipelines({ limit: 500 });
  return (
    <>
      <PageHeader
        title="Pipelines"
        description="Saved training recipes: data → model → evaluation gate → registration and promotion. They run on demand, on a cron schedule, or when their dataset gets a new version."
        actions={can(actor, "editor") ? <Link href="/pipelines/new" className="btn-primary">New pipeline</Link> : undefined}
      />
      {pipelines.length === 0 ? (
        <EmptyState title="No pipelines yet">
          <p>Create one to retrain a model on a schedule or whenever its data changes.</p>
        </EmptyState>
      ) : (
        <Table caption="Pipelines">
          <THead>
            <Th>Name</Th>
            <Th>Data</Th>
            <Th>Model</Th>
            <Th>Triggers</Th>
            <Th>Next run</Th>
            <Th>Last run</Th>
          </THead>
          <TBody>
            {pipelines.map((p) => (
              <Tr key={p.id} data-testid="pipeline-row">
                <Td>
                  <Link className="link" href={`/pipelines/${p.id}`}>
                    {p.name}
                  </Link>
                  {!p.enabled && <Badge className="ml-2">disabled</Badge>}
                </Td>
                <Td className="font-mono text-xs">
                  {p.definition.dataset.name}:{String(p.definition.dataset.version).slice(0, 12)} → {p.definition.target}
                </Td>
                <Td>
                  {p.definition.family}
                  {p.definition.register && <div className="text-xs text-zinc-500 dark:text-zinc-400">registers {p.definition.register.name} ({p.definition.promote})</div>}
                </Td>
                <Td className="text-xs">
                  {[p.schedule ? `cron ${p.schedule}` : null, p.triggers.onNewDatasetVersion ? "new dataset version" : null].filter(Boolean).join(", ") || "manual only"}
                </Td>
                <Td>{p.enabled && p.nextRunAt ? <LocalTime value={p.nextRunAt} /> : "–"}</Td>
                <Td>
                  {p.lastRun ? (
                    <>
                      <Badge tone={p.lastRun.state === "succeeded" ? "green" : p.lastRun.state === "failed" ? "red" : p.lastRun.state === "gated" ? "purple" : "blue"}>{p.lastRun.state}</Badge>{" "}
                      <LocalTime value={p.lastRun.createdAt} />
                    </>
                  ) : (
                    "never"
                  )}
                </Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      )}
    </>
  );
}
