import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { can, requirePageActor } from "@/app/_server/actor";
import { orNotFound } from "@/app/_server/not-found";
import { AliasBadges, aliasRank, aliasTone } from "@/components/registry/alias-badges";
import { CANNOT_PROMOTE, PromoteButton, RollbackButton } from "@/components/registry/promote-button";
import { msToIso } from "@/components/tracking/format";
import { LineageChain } from "@/components/tracking/lineage-chain";
import { RunStatusBadge } from "@/components/tracking/run-status-badge";
import { Badge } from "@/components/ui/badge";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { LocalTime } from "@/components/ui/time";
import { PageHeader } from "@/components/ui/page-header";
import { listAudit } from "@/lib/auth";
import { listAbTestsBrief } from "@/lib/overview";
import { getModelVersionLineage, getRegisteredModel, listModelVersions, promotionHistory, type ModelVersionLineage } from "@/lib/registry";
import type { RunStatus } from "@/lib/tracking";
import { promoteAction, rollbackAction } from "./actions";

export const metadata: Metadata = { title: "Model" };

/** Lineage is looked up per version; older versions than this are listed without it. */
const LINEAGE_LIMIT = 50;
const ALIAS_ACTIONS = new Set(["model.promote", "model.alias_set", "model.alias_delete"]);

function Section({ id, title, description, children }: { id: string; title: string; description?: ReactNode; children: ReactNode }) {
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

function lineageSteps(l: ModelVersionLineage) {
  const dv = l.datasetVersion;
  return [
    { kind: "Model version", label: `v${l.modelVersion.version}`, detail: l.modelVersion.status },
    l.run
      ? {
          kind: "Run",
          label: l.run.name,
          href: `/runs/${l.run.id}`,
          detail: (
            <>
              in{" "}
              <Link href={`/experiments/${l.run.experimentId}`} className="link">
                {l.run.experimentName}
              </Link>
            </>
          ),
        }
      : { kind: "Run", label: "not recorded", missing: true },
    dv
      ? {
          kind: "Dataset version",
          label: `${dv.datasetName} v${dv.version}`,
          href: "/datasets",
          detail: <span className="font-mono" title={dv.sha256}>{dv.sha256.slice(0, 12)}</span>,
        }
      : { kind: "Dataset version", label: "not recorded", missing: true },
    l.codeVersion
      ? { kind: "Code version", label: <span className="font-mono">{l.codeVersion.slice(0, 12)}</span>, detail: "git commit" }
      : { kind: "Code version", label: "not recorded", missing: true },
  ];
}

/** Next hands dynamic segments over still percent-encoded in some versions; decode once, safely. */
function segment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export default async function ModelPage({ params }: { params: Promise<{ name: string }> }) {
  const actor = await requirePageActor();
  const name = segment((await params).name);
  const [model, versions] = await orNotFound(Promise.all([getRegisteredModel(name), listModelVersions(name)]));
  const canPromote = can(actor, "editor");
  const aliasEntries = Object.entries(model.aliases).sort(([a], [b]) => aliasRank(a) - aliasRank(b) || a.localeCompare(b));

  const [lineages, abTests, audit, lastPromotions] = await Promise.all([
    Promise.all(versions.slice(0, LINEAGE_LIMIT).map((v) => getModelVersionLineage(model.name, v.version))),
    listAbTestsBrief().then((tests) => tests.filter((t) => t.modelName === model.name)),
    listAudit({ targetType: "registered_model", targetId: model.id, limit: 200 }).then((rows) => rows.filter((r) => ALIAS_ACTIONS.has(r.action)).slice(0, 20)),
    Promise.all(aliasEntries.map(([alias]) => promotionHistory(model.name, alias, 1).then((h) => [alias, h[0] ?? null] as const))),
  ]);
  const lineageOf = new Map(lineages.map((l) => [l.modelVersion.version, l]));
  const lastPromotion = new Map(lastPromotions);

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm text-zinc-500 dark:text-zinc-400">
        <Link href="/models" className="link">
          Models
        </Link>{" "}
        / <span>{model.name}</span>
      </nav>
      <PageHeader
        title={model.name}
        description={
          <>
            {model.description ?? "No description."} · {versions.length} {versions.length === 1 ? "version" : "versions"} · updated{" "}
            <LocalTime value={msToIso(model.updatedAt)} /> ·{" "}
            <Link href={`/drift/${encodeURIComponent(model.name)}`} className="link">
              Drift monitoring
            </Link>
          </>
        }
      />

      <div className="space-y-10">
        <Section id="aliases-heading" title="Aliases" description="Serving follows champion by default; an A/B test or retraining proposes challenger.">
          {aliasEntries.length === 0 ? (
            <p className="card p-4 text-sm text-zinc-500 dark:text-zinc-400">No aliases yet: promote a version below to make it the champion.</p>
          ) : (
            <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3" data-testid="aliases">
              {aliasEntries.map(([alias, version]) => {
                const last = lastPromotion.get(alias);
                const canRollBack = last && last.toVersion === version && last.fromVersion !== null;
                return (
                  <li key={alias} className="card flex items-start justify-between gap-3 p-4" data-testid="alias-card" data-alias={alias} data-version={version}>
                    <div className="min-w-0">
                      <Badge tone={aliasTone(alias)}>{alias}</Badge>
                      <div className="mt-2 text-2xl font-semibold tabular-nums">v{version}</div>
                      {last && last.toVersion === version && (
                        <div className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
                          by {last.actorLabel}, <LocalTime value={last.at} seconds={false} />
                        </div>
                      )}
                    </div>
                    {canRollBack && (
                      <RollbackButton
                        modelName={model.name}
                        alias={alias}
                        currentVersion={version}
                        previousVersion={last.fromVersion!}
                        canPromote={canPromote}
                        rollback={rollbackAction}
                      />
                    )}
                  </li>
                );
              })}
            </ul>
          )}
        </Section>

        <Section id="versions-heading" title="Versions">
          {!canPromote && (
            <p className="text-sm text-amber-800 dark:text-amber-300" data-testid="promote-disabled-reason">
              {CANNOT_PROMOTE}; you are signed in as a {actor.role}.
            </p>
          )}
          {versions.length === 0 ? (
            <p className="card p-4 text-sm text-zinc-500 dark:text-zinc-400">
              No versions yet. Register one from a run with the MLflow client or <code className="font-mono">POST /api/v1/models/{model.name}/versions</code>.
            </p>
          ) : (
            <Table caption={`Versions of ${model.name}`}>
              <THead>
                <Th>Version</Th>
                <Th>Status</Th>
                <Th>Stage</Th>
                <Th>Created</Th>
                <Th>Source run</Th>
                <Th>Aliases</Th>
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              </THead>
              <TBody>
                {versions.map((v) => {
                  const run = lineageOf.get(v.version)?.run;
                  return (
                    <Tr key={v.id} data-testid="version-row" data-version={v.version}>
                      <Td className="font-semibold tabular-nums">v{v.version}</Td>
                      <Td>
                        <Badge tone={v.status === "READY" ? "green" : v.status === "FAILED_REGISTRATION" ? "red" : "amber"}>{v.status}</Badge>
                      </Td>
                      <Td className="text-zinc-600 dark:text-zinc-300">{v.stage}</Td>
                      <Td>
                        <LocalTime value={msToIso(v.createdAt)} />
                      </Td>
                      <Td>
                        {v.runId ? (
                          <span className="inline-flex items-center gap-2 whitespace-nowrap">
                            <Link href={`/runs/${v.runId}`} className="link">
                              {run?.name ?? v.runId.slice(0, 12)}
                            </Link>
                            {run && <RunStatusBadge status={run.status as RunStatus} />}
                          </span>
                        ) : (
                          <span className="font-mono text-xs text-zinc-500 dark:text-zinc-400" title={v.source}>
                            {v.source.length > 40 ? `${v.source.slice(0, 39)}…` : v.source}
                          </span>
                        )}
                      </Td>
                      <Td>{v.aliases.length ? <AliasBadges aliases={v.aliases} /> : <span className="text-zinc-400 dark:text-zinc-500">–</span>}</Td>
                      <Td align="right">
                        <PromoteButton
                          modelName={model.name}
                          version={v.version}
                          aliases={model.aliases}
                          canPromote={canPromote}
                          promote={promoteAction}
                        />
                      </Td>
                    </Tr>
                  );
                })}
              </TBody>
            </Table>
          )}
        </Section>

        {lineages.length > 0 && (
          <Section id="lineage-heading" title="Lineage" description="Where each version came from: version → run → dataset version → code version.">
            <ul className="card divide-y divide-zinc-100 dark:divide-zinc-800">
              {lineages.map((l) => (
                <li key={l.modelVersion.id} className="p-4" data-testid="version-lineage" data-version={l.modelVersion.version}>
                  <LineageChain label={`Lineage of version ${l.modelVersion.version}`} steps={lineageSteps(l)} />
                </li>
              ))}
            </ul>
            {versions.length > LINEAGE_LIMIT && (
              <p className="text-sm text-zinc-500 dark:text-zinc-400">The {versions.length - LINEAGE_LIMIT} oldest versions are not shown here.</p>
            )}
          </Section>
        )}

        <Section id="abtests-heading" title="A/B tests">
          {abTests.length === 0 ? (
            <p className="card p-4 text-sm text-zinc-500 dark:text-zinc-400">
              No A/B test uses this model. <Link href="/ab-tests" className="link">A/B tests</Link> split traffic between its champion and a challenger.
            </p>
          ) : (
            <Table caption="A/B tests of this model">
              <THead>
                <Th>Name</Th>
                <Th>State</Th>
                <Th>Arms</Th>
                <Th>Winner</Th>
                <Th>Started</Th>
              </THead>
              <TBody>
                {abTests.map((t) => (
                  <Tr key={t.id}>
                    <Td>
                      <Link href={`/ab-tests/${t.id}`} className="link">
                        {t.name}
                      </Link>
                    </Td>
                    <Td>
                      <Badge tone={t.state === "running" ? "blue" : t.state === "stopped" ? "gray" : "amber"}>{t.state}</Badge>
                    </Td>
                    <Td className="text-xs">
                      {t.arms.map((a) => (
                        <div key={a.name}>
                          {a.name}: v{a.version}{a.isShadow ? " (shadow)" : ` · ${a.weight}%`}
                        </div>
                      ))}
                    </Td>
                    <Td>{t.winnerArm ?? "–"}</Td>
                    <Td>
                      <LocalTime value={t.startedAt} />
                    </Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
          )}
        </Section>

        <Section id="promotions-heading" title="Recent promotions" description="From the audit log: who moved which alias, from which version to which, and why.">
          {audit.length === 0 ? (
            <p className="card p-4 text-sm text-zinc-500 dark:text-zinc-400">No alias has been set or moved yet.</p>
          ) : (
            <Table caption="Recent promotions">
              <THead>
                <Th>When</Th>
                <Th>Who</Th>
                <Th>Alias</Th>
                <Th>Change</Th>
                <Th>Reason</Th>
              </THead>
              <TBody>
                {audit.map((e) => {
                  const d = e.details as { alias?: unknown; from_version?: unknown; to_version?: unknown; reason?: unknown };
                  const from = typeof d.from_version === "number" ? `v${d.from_version}` : "none";
                  const to = typeof d.to_version === "number" ? `v${d.to_version}` : "removed";
                  return (
                    <Tr key={e.id} data-testid="promotion-row" data-action={e.action}>
                      <Td>
                        <LocalTime value={e.at} />
                      </Td>
                      <Td className="max-w-48 truncate" title={e.actorLabel}>
                        {e.actorLabel}
                      </Td>
                      <Td>{typeof d.alias === "string" ? <Badge tone={aliasTone(d.alias)}>{d.alias}</Badge> : "–"}</Td>
                      <Td className="whitespace-nowrap tabular-nums">
                        {from} → {to}
                        {e.action !== "model.promote" && (
                          <span className="ml-1 text-xs text-zinc-400 dark:text-zinc-500">({e.action === "model.alias_delete" ? "alias deleted" : "alias set"})</span>
                        )}
                      </Td>
                      <Td className="max-w-md text-sm break-words">
                        {typeof d.reason === "string" && d.reason ? d.reason : <span className="text-zinc-400 dark:text-zinc-500">–</span>}
                      </Td>
                    </Tr>
                  );
                })}
              </TBody>
            </Table>
          )}
        </Section>
      </div>
    </>
  );
}
