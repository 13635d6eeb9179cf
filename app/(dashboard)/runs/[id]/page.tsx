import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { requirePageActor } from "@/app/_server/actor";
import { orNotFound } from "@/app/_server/not-found";
import { formatDuration, formatMetric, msToIso } from "@/components/tracking/format";
import { LineageChain } from "@/components/tracking/lineage-chain";
import { MetricChart } from "@/components/tracking/metric-chart";
import { runFingerprint } from "@/components/tracking/run-fingerprint";
import { RunLiveRefresh } from "@/components/tracking/run-live-refresh";
import { RunStatusBadge } from "@/components/tracking/run-status-badge";
import { AliasBadges } from "@/components/registry/alias-badges";
import { CopyButton } from "@/components/ui/copy-button";
import { EmptyState } from "@/components/ui/empty-state";
import { formatBytes } from "@/components/ui/format";
import { PageHeader } from "@/components/ui/page-header";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { LocalTime } from "@/components/ui/time";
import { searchModelVersions } from "@/lib/registry";
import { getRun, getRunLineage, listChildRuns, listRunArtifacts } from "@/lib/tracking";
import { sampleMetricHistories } from "@/lib/tracking/history-sample";

export const metadata: Metadata = { title: "Run" };

/** A run's own charts can afford more detail than a hundred-run comparison. */
const MAX_POINTS = 1500;
const MAX_CHILDREN = 100;

function Section({ id, title, count, children }: { id: string; title: string; count?: number; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className="space-y-3">
      <h2 id={id} className="text-lg font-semibold">
        {title}
        {count !== undefined && <span className="ml-2 text-sm font-normal text-zinc-400 dark:text-zinc-500">{count}</span>}
      </h2>
      {children}
    </section>
  );
}

function artifactHref(runId: string, path: string): string {
  return `/api/v1/runs/${runId}/artifacts/${path.split("/").map(encodeURIComponent).join("/")}`;
}

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  await requirePageActor();
  const { id } = await params;
  const [run, lineage] = await orNotFound(Promise.all([getRun(id), getRunLineage(id)]));
  const metricKeys = Object.keys(run.metrics).sort();
  const [histories, artifacts, children, versions] = await Promise.all([
    sampleMetricHistories([run.id], metricKeys, MAX_POINTS),
    // An unreachable artifact store must not take the whole page down.
    listRunArtifacts(run.id, "", { recursive: true }).then(
      (files) => ({ files, error: null }),
      (err: unknown) => ({ files: [], error: err instanceof Error ? err.message : String(err) }),
    ),
    listChildRuns(run.id),
    searchModelVersions({ filter: `run_id = '${run.id}'`, maxResults: 100 }),
  ]);
  const paramEntries = Object.entries(run.params).sort(([a], [b]) => a.localeCompare(b));
  const tagEntries = Object.entries(run.tags).sort(([a], [b]) => Number(a.startsWith("mlflow.")) - Number(b.startsWith("mlflow.")) || a.localeCompare(b));
  const files = artifacts.files.filter((f) => !f.isDir);
  const dv = lineage.datasetVersion;

  const facts: [string, ReactNode][] = [
    ["Status", <RunStatusBadge key="s" status={run.status} />],
    ["Started", <LocalTime key="st" value={msToIso(run.startTime)} />],
    ["Ended", <LocalTime key="e" value={msToIso(run.endTime)} empty={run.status === "RUNNING" ? "still running" : "–"} />],
    ["Duration", run.endTime ? formatDuration(run.endTime - run.startTime) : "–"],
    [
      "Experiment",
      <Link key="x" href={`/experiments/${lineage.experiment.id}`} className="link">
        {lineage.experiment.name}
      </Link>,
    ],
    [
      "Parent run",
      lineage.parentRun ? (
        <Link key="p" href={`/runs/${lineage.parentRun.id}`} className="link">
          {lineage.parentRun.name}
        </Link>
      ) : (
        "–"
      ),
    ],
    ["Artifact URI", <span key="a" className="font-mono text-xs break-all">{run.artifactUri}</span>],
  ];

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm text-zinc-500 dark:text-zinc-400">
        <Link href="/experiments" className="link">
          Experiments
        </Link>{" "}
        /{" "}
        <Link href={`/experiments/${lineage.experiment.id}`} className="link">
          {lineage.experiment.name}
        </Link>{" "}
        / <span>{run.name}</span>
      </nav>
      <PageHeader
        title={run.name}
        description={
          <>
            Run <span className="font-mono">{run.id}</span>
            {run.lifecycleStage === "deleted" && " · archived"}
          </>
        }
        actions={
          <>
            <RunLiveRefresh runId={run.id} status={run.status} fingerprint={runFingerprint(run)} />
            <CopyButton text={run.id} label="Copy run id" />
          </>
        }
      />

      <div className="space-y-10">
        <dl className="card grid gap-x-6 gap-y-3 p-5 text-sm sm:grid-cols-2 lg:grid-cols-4">
          {facts.map(([label, value]) => (
            <div key={label} className="min-w-0">
              <dt className="text-xs font-medium uppercase tracking-wide text-zinc-500 dark:text-zinc-400">{label}</dt>
              <dd className="mt-1">{value}</dd>
            </div>
          ))}
        </dl>

        <Section id="lineage-heading" title="Lineage">
          <div className="card space-y-4 p-5">
            <LineageChain
              label="Lineage of this run"
              steps={[
                dv
                  ? {
                      kind: "Dataset version",
                      label: `${dv.datasetName} v${dv.version}`,
                      href: "/datasets",
                      detail: (
                        <>
                          {dv.rowCount.toLocaleString("en-US")} rows × {dv.columnCount} columns ·{" "}
                          <span className="font-mono" title={dv.sha256}>
                            {dv.sha256.slice(0, 12)}
                          </span>
                        </>
                      ),
                    }
                  : { kind: "Dataset version", label: "not recorded", missing: true },
                { kind: "Run", label: run.name, detail: <span className="font-mono">{run.id.slice(0, 12)}</span> },
                lineage.codeVersion
                  ? { kind: "Code version", label: <span className="font-mono">{lineage.codeVersion.slice(0, 12)}</span>, detail: "git commit" }
                  : { kind: "Code version", label: "not recorded", missing: true },
              ]}
            />
            <div className="text-sm">
              <span className="font-medium">Registered as: </span>
              {versions.items.length === 0 ? (
                <span className="text-zinc-500 dark:text-zinc-400">no model version was registered from this run.</span>
              ) : (
                <ul className="mt-2 flex flex-wrap gap-2" aria-label="Model versions registered from this run">
                  {versions.items.map((v) => (
                    <li key={v.id} className="flex items-center gap-1.5 rounded-md border border-zinc-200 px-2 py-1 dark:border-zinc-700">
                      <Link href={`/models/${encodeURIComponent(v.modelName)}`} className="link">
                        {v.modelName} v{v.version}
                      </Link>
                      <AliasBadges aliases={v.aliases} />
                    </li>
                  ))}
                </ul>
              )}
            </div>
          </div>
        </Section>

        {children.length > 0 && (
          <Section id="children-heading" title="Child runs" count={children.length}>
            <Table caption="Child runs">
              <THead>
                <Th>Run</Th>
                <Th>Status</Th>
                <Th>Started</Th>
                <Th align="right">Duration</Th>
              </THead>
              <TBody>
                {children.slice(0, MAX_CHILDREN).map((c) => (
                  <Tr key={c.id}>
                    <Td>
                      <Link href={`/runs/${c.id}`} className="link">
                        {c.name}
                      </Link>
                    </Td>
                    <Td>
                      <RunStatusBadge status={c.status} />
                    </Td>
                    <Td>
                      <LocalTime value={msToIso(c.startTime)} />
                    </Td>
                    <Td align="right">{c.endTime ? formatDuration(c.endTime - c.startTime) : "–"}</Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
            {children.length > MAX_CHILDREN && (
              <p className="text-sm text-zinc-500 dark:text-zinc-400">
                Showing the first {MAX_CHILDREN}; search the experiment with <code className="font-mono">attributes.parent_run_id = &apos;{run.id}&apos;</code> for all.
              </p>
            )}
          </Section>
        )}

        <Section id="metrics-heading" title="Metrics" count={metricKeys.length}>
          {metricKeys.length === 0 ? (
            <p className="text-sm text-zinc-500 dark:text-zinc-400">No metrics logged.</p>
          ) : (
            <>
              {/* Curves only: a metric logged once (a test score) reads better as the number in the table below. */}
              <div className="grid gap-4 lg:grid-cols-2">
                {metricKeys.filter((key) => (histories[run.id]?.[key]?.length ?? 0) > 1).map((key) => (
                  <MetricChart
                    key={key}
                    title={key}
                    series={[
                      {
                        id: run.id,
                        name: run.name,
                        color: "#6366f1",
                        points: (histories[run.id]?.[key] ?? []).filter((p) => Number.isFinite(p.value)).map((p) => [p.step, p.value]),
                      },
                    ]}
                  />
                ))}
              </div>
              <Table caption="Latest metric values">
                <THead>
                  <Th>Metric</Th>
                  <Th align="right">Latest value</Th>
                  <Th align="right">Step</Th>
                  <Th>Logged</Th>
                </THead>
                <TBody>
                  {metricKeys.map((key) => {
                    const m = run.metrics[key]!;
                    return (
                      <Tr key={key}>
                        <Td className="font-mono text-xs">{key}</Td>
                        <Td align="right">{formatMetric(m.value)}</Td>
                        <Td align="right">{m.step}</Td>
                        <Td>
                          <LocalTime value={msToIso(m.timestamp)} />
                        </Td>
                      </Tr>
                    );
                  })}
                </TBody>
              </Table>
            </>
          )}
        </Section>

        <div className="grid gap-10 lg:grid-cols-2">
          <Section id="params-heading" title="Params" count={paramEntries.length}>
            {paramEntries.length === 0 ? (
              <p className="text-sm text-zinc-500 dark:text-zinc-400">No params logged.</p>
            ) : (
              <Table caption="Params">
                <THead>
                  <Th>Name</Th>
                  <Th>Value</Th>
                </THead>
                <TBody>
                  {paramEntries.map(([k, v]) => (
                    <Tr key={k}>
                      <Td className="font-mono text-xs">{k}</Td>
                      <Td className="font-mono text-xs break-all">{v}</Td>
                    </Tr>
                  ))}
                </TBody>
              </Table>
            )}
          </Section>
          <Section id="tags-heading" title="Tags" count={tagEntries.length}>
            {tagEntries.length === 0 ? (
              <p className="text-sm text-zinc-500 dark:text-zinc-400">No tags.</p>
            ) : (
              <Table caption="Tags">
                <THead>
                  <Th>Name</Th>
                  <Th>Value</Th>
                </THead>
                <TBody>
                  {tagEntries.map(([k, v]) => (
                    <Tr key={k}>
                      <Td className={k.startsWith("mlflow.") ? "font-mono text-xs text-zinc-400 dark:text-zinc-500" : "font-mono text-xs"}>{k}</Td>
                      <Td className="font-mono text-xs break-all">{v}</Td>
                    </Tr>
                  ))}
                </TBody>
              </Table>
            )}
          </Section>
        </div>

        <Section id="artifacts-heading" title="Artifacts" count={files.length}>
          {artifacts.error ? (
            <p role="alert" className="text-sm text-red-700 dark:text-red-400">
              The artifact store could not be read: {artifacts.error}
            </p>
          ) : files.length === 0 ? (
            <EmptyState title="No artifacts">
              <p>
                Upload files with the MLflow client (<code className="font-mono">mlflow.log_artifact</code>) or{" "}
                <code className="font-mono">PUT /api/v1/runs/{run.id}/artifacts/&lt;path&gt;</code>.
              </p>
            </EmptyState>
          ) : (
            <Table caption="Artifacts">
              <THead>
                <Th>Path</Th>
                <Th align="right">Size</Th>
                <Th>
                  <span className="sr-only">Download</span>
                </Th>
              </THead>
              <TBody>
                {files.map((f) => (
                  <Tr key={f.path} data-testid="artifact-row">
                    <Td className="font-mono text-xs break-all">{f.path}</Td>
                    <Td align="right">{f.size === null ? "–" : formatBytes(f.size)}</Td>
                    <Td align="right">
                      <a href={artifactHref(run.id, f.path)} download className="link text-sm" aria-label={`Download ${f.path}`}>
                        Download
                      </a>
                    </Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
          )}
        </Section>
      </div>
    </>
  );
}
