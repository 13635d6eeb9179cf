import type { Metadata } from "next";
import Link from "next/link";
import { can, requirePageActor } from "@/app/_server/actor";
import { PipelineForm } from "@/components/pipelines/pipeline-form";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { getDatasetVersion, listDatasets } from "@/lib/datasets";
import { PROMOTE_POLICIES } from "@/lib/pipelines";
import { familyChoices, METRIC_NAMES } from "@/lib/training";
import { createPipelineAction } from "../actions";

export const metadata: Metadata = { title: "New pipeline" };
export const dynamic = "force-dynamic";

export default async function NewPipelinePage() {
  const actor = await requirePageActor();
  const header = <PageHeader title="New pipeline" description="A training recipe the worker runs on demand, on a schedule, or when the dataset gets a new version." />;
  if (!can(actor, "editor")) {
    return (
      <>
        {header}
        <EmptyState title="Editors create pipelines">
          <p>Your role is {actor.role}. Ask an admin for the editor role.</p>
        </EmptyState>
      </>
    );
  }
  const { datasets } = await listDatasets({ limit: 500 });
  if (datasets.length === 0) {
    return (
      <>
        {header}
        <EmptyState title="No datasets yet">
          <p>
            Upload a CSV on the <Link href="/datasets" className="underline">Datasets</Link> page first.
          </p>
        </EmptyState>
      </>
    );
  }
  const withColumns = await Promise.all(
    datasets.map(async (d) => {
      const v = await getDatasetVersion(d.name, "latest");
      return { name: d.name, columns: v.schema.map((c) => c.name), target: v.validation.target?.column ?? null };
    }),
  );
  // "auto" first: a pipeline that retrains usually should pick the best family each time.
  const families = ["auto", ...familyChoices().filter((f) => f !== "auto")];
  return (
    <>
      {header}
      <PipelineForm datasets={withColumns} families={families} metrics={[...METRIC_NAMES]} policies={[...PROMOTE_POLICIES]} create={createPipelineAction} />
    </>
  );
}
