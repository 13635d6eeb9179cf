import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { can, requirePageActor } from "@/app/_server/actor";
import { ColumnProfileCard } from "@/components/datasets/profile-charts";
import { SchemaEditor } from "@/components/datasets/schema-editor";
import { ValidationReportView } from "@/components/datasets/validation-report";
import { Alert } from "@/components/ui/alert";
import { formatBytes, formatCount } from "@/components/ui/format";
import { PageHeader } from "@/components/ui/page-header";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { LocalTime } from "@/components/ui/time";
import { getDataset, getDatasetVersion, previewDataset } from "@/lib/datasets";
import { AppError } from "@/lib/errors";

export const dynamic = "force-dynamic";

const PREVIEW_ROWS = 20;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export async function generateMetadata({ params }: { params: Promise<{ name: string }> }): Promise<Metadata> {
  return { title: `Dataset ${decodeURIComponent((await params).name)}` };
}

async function load(name: string) {
  try {
    return await getDataset(name);
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") notFound();
    throw err;
  }
}

function Section({ title, children, id }: { title: string; children: React.ReactNode; id: string }) {
  return (
    <section aria-labelledby={id} className="space-y-3">
      <h2 id={id} className="text-lg font-semibold">
        {title}
      </h2>
      {children}
    </section>
  );
}

export default async function DatasetPage({
  params,
  searchParams,
}: {
  params: Promise<{ name: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const actor = await requirePageActor();
  const name = decodeURIComponent((await params).name);
  const sp = await searchParams;
  const dataset = await load(name);
  const asked = Number(one(sp.version));
  const chosen = dataset.versions.find((v) => v.version === asked)?.version ?? dataset.versions[0]?.version;
  if (chosen === undefined) notFound();
  const [version, preview] = await Promise.all([getDatasetVersion(name, chosen), previewDataset(name, chosen, PREVIEW_ROWS)]);
  const uploaded = one(sp.uploaded);
  const target = version.validation.target?.column ?? null;
  const editor = can(actor, "editor");
  const q = new URLSearchParams({ dataset: name, version: String(version.version) });

  return (
    <>
      <PageHeader
        title={dataset.name}
        description={dataset.description ?? `Version ${version.version} of ${dataset.versionCount}: ${formatCount(version.rowCount)} rows, ${version.columnCount} columns.`}
        actions={
          <>
            <a className="btn-secondary" href={`/api/v1/datasets/${encodeURIComponent(name)}/versions/${version.version}/download`}>
              Download CSV
            </a>
            {editor && (
              <Link className="btn-primary" href={`/train?${q}`}>
                Train on this version
              </Link>
            )}
          </>
        }
      />
      <div className="space-y-8">
        {uploaded === "created" && <Alert tone="success">Version {version.version} was created and profiled.</Alert>}
        {uploaded === "existing" && <Alert tone="info">These bytes already were version {version.version}; nothing new was stored.</Alert>}

        <Section id="versions" title="Versions">
          <Table caption="Versions">
            <THead>
              <Th>Version</Th>
              <Th align="right">Rows</Th>
              <Th align="right">Columns</Th>
              <Th align="right">Size</Th>
              <Th>SHA-256</Th>
              <Th>Created</Th>
            </THead>
            <TBody>
              {dataset.versions.map((v) => (
                <Tr key={v.id} aria-current={v.version === version.version ? "true" : undefined} className={v.version === version.version ? "bg-indigo-50/60 dark:bg-indigo-500/10" : undefined}>
                  <Td>
                    <Link className="link" href={`/datasets/${encodeURIComponent(name)}?version=${v.version}`}>
                      v{v.version}
                    </Link>
                  </Td>
                  <Td align="right">{formatCount(v.rowCount)}</Td>
                  <Td align="right">{v.columnCount}</Td>
                  <Td align="right">{formatBytes(v.sizeBytes)}</Td>
                  <Td className="font-mono text-xs" title={v.sha256}>
                    {v.sha256.slice(0, 12)}
                  </Td>
                  <Td>
                    <LocalTime value={v.createdAt} />
                  </Td>
                </Tr>
              ))}
            </TBody>
          </Table>
        </Section>

        <Section id="preview" title={`First ${Math.min(PREVIEW_ROWS, version.rowCount)} rows of v${version.version}`}>
          <Table caption="Preview">
            <THead>
              {preview.columns.map((c) => (
                <Th key={c.name}>
                  <span className="normal-case">{c.name}</span>
                  <span className="ml-1 font-normal lowercase text-zinc-400">{c.type}</span>
                </Th>
              ))}
            </THead>
            <TBody>
              {preview.rows.map((row, i) => (
                <Tr key={i} data-testid="preview-row">
                  {row.map((cell, j) => (
                    <Td key={j} className="max-w-64 truncate whitespace-nowrap">
                      {cell}
                    </Td>
                  ))}
                </Tr>
              ))}
            </TBody>
          </Table>
        </Section>

        <Section id="schema" title="Schema">
          <SchemaEditor key={`${version.id}:${version.schema.map((c) => c.type).join(",")}:${target}`} dataset={name} version={version.version} schema={version.schema} target={target} canEdit={editor} />
        </Section>

        <Section id="validation" title="Validation report">
          <ValidationReportView report={version.validation} />
        </Section>

        <Section id="profile" title="Profile">
          <div className="grid gap-3 sm:grid-cols-2 xl:grid-cols-3">
            {version.profile.columns.map((c) => (
              <ColumnProfileCard key={c.name} column={c} rowCount={version.rowCount} />
            ))}
          </div>
          <p className="text-xs text-zinc-500 dark:text-zinc-400">
            Delimiter {JSON.stringify(version.profile.format.delimiter)}
            {version.profile.format.hasBom ? ", with a byte order mark" : ""}. Histograms use Sturges&apos; bins from min to max.
          </p>
        </Section>
      </div>
    </>
  );
}
