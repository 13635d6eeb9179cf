import type { Metadata } from "next";
import Link from "next/link";
import { can, requirePageActor } from "@/app/_server/actor";
import { AlertsTable } from "@/components/drift/alerts-table";
import { Badge } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/empty-state";
import { formatCount, formatPercent } from "@/components/ui/format";
import { PageHeader } from "@/components/ui/page-header";
import { ProgressBar } from "@/components/ui/progress-bar";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { LocalTime } from "@/components/ui/time";
import { driftOverview, listAlerts } from "@/lib/monitoring";
import { listRegisteredModels } from "@/lib/registry";
import { acknowledgeAlertAction } from "./actions";

export const metadata: Metadata = { title: "Drift" };
export const dynamic = "force-dynamic";

export default async function DriftPage() {
  const actor = await requirePageActor();
  const [models, alerts, registered] = await Promise.all([driftOverview(), listAlerts({ open: true, limit: 50 }), listRegisteredModels({ maxResults: 1000 })]);
  const shown = new Set(models.map((m) => m.model));
  const others = registered.items.map((m) => m.name).filter((n) => !shown.has(n));

  return (
    <>
      <PageHeader
        title="Drift"
        description="Production inputs, predictions and outcomes compared with what each model was trained on. Open a model to run a report, set its schedule, alerts and retraining policy."
      />
      {models.length === 0 ? (
        <EmptyState title="No drift reports yet">
          <p>
            Serve a model and send it predictions; then pick it below to run a report or give it a schedule. Drifting models can
            trigger retraining.
          </p>
        </EmptyState>
      ) : (
        <Table caption="Monitored models">
          <THead>
            <Th>Model</Th>
            <Th>Last report</Th>
            <Th>Columns drifted</Th>
            <Th align="right">Current rows</Th>
            <Th>Schedule</Th>
            <Th>Retraining</Th>
            <Th align="right">Open alerts</Th>
          </THead>
          <TBody>
            {models.map((m) => (
              <Tr key={m.model}>
                <Td className="font-medium">
                  <Link className="link" href={`/drift/${encodeURIComponent(m.model)}`}>
                    {m.model}
                  </Link>
                </Td>
                <Td>
                  {m.last ? (
                    <span className="inline-flex items-center gap-2">
                      {m.last.dataset_drift ? <Badge tone="red">drift</Badge> : <Badge tone="green">no drift</Badge>}
                      <span className="text-xs">
                        <LocalTime value={m.last.created_at} seconds={false} />
                      </span>
                    </span>
                  ) : (
                    <span className="text-zinc-400">none yet</span>
                  )}
                </Td>
                <Td className="min-w-40">
                  {m.last && (
                    <div className="flex items-center gap-2">
                      <ProgressBar value={m.last.share_drifted} label="Share of columns drifted" tone={m.last.dataset_drift ? "red" : "green"} className="w-24 shrink-0" />
                      <span className="tabular-nums text-xs">{formatPercent(m.last.share_drifted)}</span>
                    </div>
                  )}
                </Td>
                <Td align="right">{m.last ? formatCount(m.last.n_current) : "–"}</Td>
                <Td className="font-mono text-xs">{m.schedule ?? <span className="font-sans text-zinc-400">on demand</span>}</Td>
                <Td>{m.retraining ? <Badge tone="indigo">on</Badge> : <span className="text-zinc-400">off</span>}</Td>
                <Td align="right">{m.open_alerts ? <Badge tone="amber">{m.open_alerts}</Badge> : "0"}</Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      )}

      {others.length > 0 && (
        <nav aria-label="Other models" className="mt-6 text-sm">
          <span className="text-zinc-500 dark:text-zinc-400">Set up monitoring for: </span>
          {others.map((n, i) => (
            <span key={n}>
              {i > 0 && ", "}
              <Link className="link" href={`/drift/${encodeURIComponent(n)}`}>
                {n}
              </Link>
            </span>
          ))}
        </nav>
      )}

      <h2 className="mt-10 mb-3 text-lg font-semibold">Open alerts</h2>
      {alerts.length === 0 ? (
        <p className="text-sm text-zinc-500 dark:text-zinc-400">No open alerts.</p>
      ) : (
        <AlertsTable alerts={alerts} canEdit={can(actor, "editor")} acknowledge={acknowledgeAlertAction} />
      )}
    </>
  );
}
