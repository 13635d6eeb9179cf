import type { Metadata } from "next";
import Link from "next/link";
import { can, requirePageActor } from "@/app/_server/actor";
import { NewTrainingRunForm } from "@/components/training/new-training-run-form";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { getDataset, getDatasetVersion, listDatasets } from "@/lib/datasets";
import { FAMILIES, parseParams } from "@/lib/ml";
import { AUTO_FAMILY, DEFAULT_SEED } from "@/lib/training";
import { startTrainingAction } from "./actions";

export const metadata: Metadata = { title: "New training run" };
export const dynamic = "force-dynamic";

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export default async function NewTrainingRunPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requirePageActor();
  const sp = await searchParams;
  const { datasets } = await listDatasets({ limit: 500 });
  const header = <PageHeader title="New training run" description="Train a model on a dataset version in the background; follow its progress on the Jobs page and its curves on the run." />;
  if (!can(actor, "editor")) {
    return (
      <>
        {header}
        <EmptyState title="Editors start training runs">
          <p>Your role is {actor.role}. Ask an admin for the editor role.</p>
        </EmptyState>
      </>
    );
  }
  if (datasets.length === 0) {
    return (
      <>
        {header}
        <EmptyState title="No datasets yet">
          <p>
            Upload a CSV on the <Link href="/datasets" className="underline">Datasets</Link> page first, or train from a file with{" "}
            <code>npx mlops train --data file.csv --target column</code>.
          </p>
        </EmptyState>
      </>
    );
  }
  // The chosen dataset and version come from the URL so that the target select lists that version's columns.
  const name = datasets.some((d) => d.name === one(sp.dataset)) ? one(sp.dataset)! : datasets[0]!.name;
  const dataset = await getDataset(name);
  const asked = Number(one(sp.version));
  const version = dataset.versions.find((v) => v.version === asked)?.version ?? dataset.versions[0]?.version ?? null;
  const detail = version === null ? null : await getDatasetVersion(name, version);
  const defaults = Object.fromEntries(Object.entries(FAMILIES).map(([f, fam]) => [f, parseParams(f, fam.params, {}) as Record<string, unknown>]));
  return (
    <>
      {header}
      <NewTrainingRunForm
        key={`${name}:${version}`}
        datasets={datasets.map((d) => d.name)}
        dataset={name}
        versions={dataset.versions.map((v) => v.version)}
        version={version}
        columns={detail?.schema.map((c) => ({ name: c.name, type: c.type })) ?? []}
        suggestedTarget={detail?.validation.target?.column ?? null}
        families={[...Object.keys(FAMILIES), AUTO_FAMILY]}
        defaults={defaults}
        seed={DEFAULT_SEED}
        startTraining={startTrainingAction}
      />
    </>
  );
}
