import type { Metadata } from "next";
import { requirePageActor } from "@/app/_server/actor";
import { Badge } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/empty-state";
import { formatCount, formatPercent } from "@/components/ui/format";
import { PageHeader } from "@/components/ui/page-header";
import { ProgressBar } from "@/components/ui/progress-bar";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { LocalTime } from "@/components/ui/time";
import { listDriftReportsBrief } from "@/lib/overview";

export const metadata: Metadata = { title: "Drift" };

export default async function DriftPage() {
  await requirePageActor();
  const reports = await listDriftReportsBrief();

  return (
    <>
      <PageHeader title="Drift" description="Reports comparing recent production inputs with the data a model was trained on." />
      {reports.length === 0 ? (
        <EmptyState title="No drift reports yet">
          <p>
            Serve a model and send it predictions; then run a drift report for it, or give it a monitor with a schedule so
            reports run on their own. Drifting models can trigger retraining.
          </p>
        </EmptyState>
      ) : (
        <Table caption="Drift reports">
          <THead>
            <Th>Model</Th>
            <Th>Result</Th>
            <Th>Columns drifted</Th>
            <Th align="right">Reference rows</Th>
            <Th align="right">Current rows</Th>
            <Th>Window</Th>
            <Th>Created</Th>
          </THead>
          <TBody>
            {reports.map((r) => (
              <Tr key={r.id}>
                <Td className="font-medium whitespace-nowrap">
                  {r.modelName ?? <span className="text-zinc-400 dark:text-zinc-500">(deleted model)</span>}
                  {r.version !== null && <span className="ml-1 text-zinc-500 dark:text-zinc-400">v{r.version}</span>}
                </Td>
                <Td>{r.datasetDrift ? <Badge tone="red">drift</Badge> : <Badge tone="green">no drift</Badge>}</Td>
                <Td className="min-w-40">
                  <div className="flex items-center gap-2">
                    <ProgressBar
                      value={r.shareDrifted}
                      label="Share of columns drifted"
                      tone={r.datasetDrift ? "red" : "green"}
                      className="w-24 shrink-0"
                    />
                    <span className="tabular-nums text-xs">{formatPercent(r.shareDrifted)}</span>
                  </div>
                </Td>
                <Td align="right">{formatCount(r.nReference)}</Td>
                <Td align="right">{formatCount(r.nCurrent)}</Td>
                <Td className="text-xs">
                  {r.windowStart || r.windowEnd ? (
                    <>
                      <LocalTime value={r.windowStart} seconds={false} /> – <LocalTime value={r.windowEnd} seconds={false} />
                    </>
                  ) : (
                    <span className="text-zinc-400 dark:text-zinc-500">–</span>
                  )}
                </Td>
                <Td><LocalTime value={r.createdAt} /></Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      )}
    </>
  );
}
