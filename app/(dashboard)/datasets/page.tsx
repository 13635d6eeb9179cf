import type { Metadata } from "next";
import Link from "next/link";
import { can, requirePageActor } from "@/app/_server/actor";
import { DatasetUploadForm } from "@/components/datasets/upload-form";
import { EmptyState } from "@/components/ui/empty-state";
import { formatBytes, formatCount } from "@/components/ui/format";
import { PageHeader } from "@/components/ui/page-header";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { LocalTime } from "@/components/ui/time";
import { listDatasetsBrief } from "@/lib/overview";

export const metadata: Metadata = { title: "Datasets" };

export default async function DatasetsPage() {
  const actor = await requirePageActor();
  const datasets = await listDatasetsBrief();
  const upload = can(actor, "editor") ? <DatasetUploadForm names={datasets.map((d) => d.name)} /> : null;

  return (
    <>
      <PageHeader
        title="Datasets"
        description="Versioned tables that runs train and evaluate on; each version is profiled and validated."
        actions={<Link href="/train" className="btn-primary">New training run</Link>}
      />
      {upload && <div className="mb-6">{upload}</div>}
      {datasets.length === 0 ? (
        <EmptyState title="No datasets yet">
          <p>
            Upload a CSV to create the first version of a dataset. Uploading changed data under the same name adds a new
            version; identical data is recognised and not stored twice.
          </p>
        </EmptyState>
      ) : (
        <Table caption="Datasets">
          <THead>
            <Th>Name</Th>
            <Th align="right">Versions</Th>
            <Th align="right">Latest</Th>
            <Th align="right">Rows</Th>
            <Th align="right">Columns</Th>
            <Th align="right">Size</Th>
            <Th>Last version</Th>
          </THead>
          <TBody>
            {datasets.map((d) => (
              <Tr key={d.id}>
                <Td>
                  <Link className="link" href={`/datasets/${encodeURIComponent(d.name)}`}>
                    {d.name}
                  </Link>
                  {d.description && <div className="mt-0.5 line-clamp-2 text-xs text-zinc-500 dark:text-zinc-400">{d.description}</div>}
                </Td>
                <Td align="right">{d.versionCount}</Td>
                <Td align="right">{d.latest ? `v${d.latest.version}` : "–"}</Td>
                <Td align="right">{d.latest ? formatCount(d.latest.rowCount) : "–"}</Td>
                <Td align="right">{d.latest ? formatCount(d.latest.columnCount) : "–"}</Td>
                <Td align="right">{d.latest ? formatBytes(d.latest.sizeBytes) : "–"}</Td>
                <Td><LocalTime value={d.latest?.createdAt ?? null} /></Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      )}
    </>
  );
}
