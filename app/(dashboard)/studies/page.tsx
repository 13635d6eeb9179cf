import type { Metadata } from "next";
import { requirePageActor } from "@/app/_server/actor";
import { StudyList } from "@/components/hpo/study-list";
import { PageHeader } from "@/components/ui/page-header";
import { listStudies } from "@/lib/hpo";

export const metadata: Metadata = { title: "Studies" };
export const dynamic = "force-dynamic";

export default async function StudiesPage() {
  await requirePageActor();
  const initial = await listStudies({ limit: 100 });
  return (
    <>
      <PageHeader title="Studies" description="Hyperparameter searches: every trial, its parameters and value. Updates live while a study runs." />
      <StudyList initial={initial} />
    </>
  );
}
