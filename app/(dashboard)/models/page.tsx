import type { Metadata } from "next";
import Link from "next/link";
import { requirePageActor } from "@/app/_server/actor";
import { requestOrigin } from "@/app/_server/origin";
import { aliasRank, aliasTone } from "@/components/registry/alias-badges";
import { Badge } from "@/components/ui/badge";
import { Code } from "@/components/ui/code";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { LocalTime } from "@/components/ui/time";
import { listModelsBrief } from "@/lib/overview";

export const metadata: Metadata = { title: "Models" };

export default async function ModelsPage() {
  await requirePageActor();
  const [models, origin] = await Promise.all([listModelsBrief(), requestOrigin()]);

  return (
    <>
      <PageHeader title="Models" description="Registered models, their versions, and the aliases (such as champion) that serving follows." />
      {models.length === 0 ? (
        <EmptyState title="No registered models yet">
          <p>
            Compare runs in <Link href="/experiments" className="link">Experiments</Link>, then register the best one as a model
            version: with the MLflow client (<Code>mlflow.register_model(&quot;runs:/&lt;run id&gt;/model&quot;, &quot;churn&quot;)</Code>{" "}
            with <Code>MLFLOW_TRACKING_URI={origin}</Code>), or with <Code>POST /api/v1/models</Code> and{" "}
            <Code>POST /api/v1/models/&lt;name&gt;/versions</Code>.
          </p>
        </EmptyState>
      ) : (
        <Table caption="Registered models">
          <THead>
            <Th>Name</Th>
            <Th align="right">Latest version</Th>
            <Th align="right">Versions</Th>
            <Th>Aliases</Th>
            <Th>Updated</Th>
          </THead>
          <TBody>
            {models.map((m) => (
              <Tr key={m.id} data-testid="model-row" data-model={m.name}>
                <Td>
                  <Link href={`/models/${encodeURIComponent(m.name)}`} className="link">
                    {m.name}
                  </Link>
                  {m.description && <div className="mt-0.5 line-clamp-2 text-xs text-zinc-500 dark:text-zinc-400">{m.description}</div>}
                </Td>
                <Td align="right">{m.latestVersion === null ? "–" : `v${m.latestVersion}`}</Td>
                <Td align="right">{m.versionCount}</Td>
                <Td>
                  {m.aliases.length === 0 ? (
                    <span className="text-zinc-400 dark:text-zinc-500">none</span>
                  ) : (
                    <div className="flex flex-wrap gap-1">
                      {[...m.aliases].sort((a, b) => aliasRank(a.alias) - aliasRank(b.alias) || a.alias.localeCompare(b.alias)).map((a) => (
                        <Badge key={a.alias} tone={aliasTone(a.alias)}>
                          {a.alias} → v{a.version}
                        </Badge>
                      ))}
                    </div>
                  )}
                </Td>
                <Td>
                  <LocalTime value={m.updatedAt} />
                </Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      )}
    </>
  );
}
