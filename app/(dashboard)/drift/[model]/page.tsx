import type { Metadata } from "next";
import Link from "next/link";
import { can, requirePageActor } from "@/app/_server/actor";
import { orNotFound } from "@/app/_server/not-found";
import { AlertsTable } from "@/components/drift/alerts-table";
import { CsvReportUpload, RunReportButton } from "@/components/drift/buttons";
import { MonitorForm } from "@/components/drift/monitor-form";
import { ShareChart } from "@/components/drift/share-chart";
import { Badge } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/empty-state";
import { formatCount, formatPercent } from "@/components/ui/format";
import { PageHeader } from "@/components/ui/page-header";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { LocalTime } from "@/components/ui/time";
import { TEST_NAMES } from "@/lib/drift";
import { driftHistory, getMonitor, listAlerts, listDriftReports, listRetrainings } from "@/lib/monitoring";
import { acknowledgeAlertAction, runReportAction, saveMonitorAction } from "../actions";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ model: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Drift · ${decodeURIComponent((await params).model)}` };
}

const yesNo = (v: boolean | null) => (v === null ? <span className="text-zinc-400">–</span> : v ? <Badge tone="red">drift</Badge> : <Badge tone="green">ok</Badge>);

export default async function ModelDriftPage({ params }: Props) {
  const actor = await requirePageActor();
  const name = decodeURIComponent((await params).model);
  const monitor = await orNotFound(getMonitor(name));
  const [history, reports, alerts, retrainings] = await Promise.all([
    driftHistory(name),
    listDriftReports(name, { limit: 50 }),
    listAlerts({ model: name, limit: 50 }),
    listRetrainings(monitor.model_id),
  ]);
  const editor = can(actor, "editor");

  return (
    <>
      <PageHeader
        title={`Drift · ${name}`}
        description={
          <>
            Reports compare the <Link className="link" href={`/models/${encodeURIComponent(name)}`}>model</Link>&apos;s prediction log with the
            reference profile stored when its version was trained.{" "}
            {monitor.schedule ? (
              <>
                Scheduled <code>{monitor.schedule}</code> (UTC); next report <LocalTime value={monitor.next_run_at} seconds={false} />.
              </>
            ) : (
              "No schedule: reports run on demand."
            )}
          </>
        }
        actions={
          <span className="flex items-start gap-2">
            <CsvReportUpload model={name} canEdit={editor} />
            <RunReportButton model={name} canEdit={editor} run={runReportAction} />
          </span>
        }
      />

      <section aria-labelledby="share-heading" className="card p-4">
        <h2 id="share-heading" className="mb-2 text-sm font-semibold">
          Share of drifted columns over time
        </h2>
        {history.length ? (
          <ShareChart points={history} threshold={monitor.config.dataset_drift_share} />
        ) : (
          <p className="text-sm text-zinc-500 dark:text-zinc-400">No report yet.</p>
        )}
      </section>

      <h2 className="mt-8 mb-3 text-lg font-semibold">Reports</h2>
      {reports.length === 0 ? (
        <EmptyState title="No reports for this model">
          <p>Run one now, or set a schedule below.</p>
        </EmptyState>
      ) : (
        <Table caption="Drift reports">
          <THead>
            <Th>Created</Th>
            <Th>Version</Th>
            <Th>Dataset</Th>
            <Th>Columns drifted</Th>
            <Th>Predictions</Th>
            <Th>Performance</Th>
            <Th align="right">Current rows</Th>
            <Th>Window</Th>
          </THead>
          <TBody>
            {reports.map((r) => (
              <Tr key={r.id} data-testid="report-row">
                <Td className="whitespace-nowrap">
                  <Link className="link" href={`/drift/${encodeURIComponent(name)}/reports/${r.id}`}>
                    <LocalTime value={r.created_at} />
                  </Link>
                </Td>
                <Td>{r.version === null ? "–" : `v${r.version}`}</Td>
                <Td>{yesNo(r.dataset_drift)}</Td>
                <Td className="tabular-nums">{formatPercent(r.share_drifted)}</Td>
                <Td>{yesNo(r.prediction_drift)}</Td>
                <Td>{yesNo(r.performance_drift)}</Td>
                <Td align="right">{formatCount(r.n_current)}</Td>
                <Td className="whitespace-nowrap text-xs">
                  <LocalTime value={r.window_start} seconds={false} /> – <LocalTime value={r.window_end} seconds={false} />
                </Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      )}

      <h2 className="mt-8 mb-3 text-lg font-semibold">Alerts</h2>
      {alerts.length === 0 ? (
        <p className="text-sm text-zinc-500 dark:text-zinc-400">No alerts for this model.</p>
      ) : (
        <AlertsTable alerts={alerts} canEdit={editor} acknowledge={acknowledgeAlertAction} showModel={false} />
      )}

      <h2 className="mt-8 mb-3 text-lg font-semibold">Triggered retrainings</h2>
      {retrainings.length === 0 ? (
        <p className="text-sm text-zinc-500 dark:text-zinc-400">
          None{monitor.retrain_policy.enabled ? ` yet: the policy retrains after ${monitor.retrain_policy.consecutive} consecutive drifting reports.` : ": the retraining policy is off."}
        </p>
      ) : (
        <Table caption="Retrainings">
          <THead>
            <Th>When</Th>
            <Th>What happened</Th>
            <Th>Job</Th>
          </THead>
          <TBody>
            {retrainings.map((r) => (
              <Tr key={r.id}>
                <Td className="whitespace-nowrap text-xs">
                  <LocalTime value={r.created_at} />
                </Td>
                <Td className="text-sm">{r.message}</Td>
                <Td className="font-mono text-xs">
                  {typeof r.details.job_id === "string" ? (
                    <Link className="link" href={`/jobs?highlight=${r.details.job_id}`}>
                      {r.details.job_id.slice(0, 8)}
                    </Link>
                  ) : typeof r.details.ab_test_id === "string" ? (
                    <Link className="link" href={`/ab-tests/${r.details.ab_test_id}`}>
                      A/B test
                    </Link>
                  ) : (
                    "–"
                  )}
                </Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      )}

      <h2 className="mt-8 mb-3 text-lg font-semibold">Monitor settings</h2>
      <div className="card p-4">
        <MonitorForm model={name} initial={monitor} tests={TEST_NAMES} canEdit={editor} save={saveMonitorAction} />
      </div>
    </>
  );
}
