import type { Metadata } from "next";
import Link from "next/link";
import { requirePageActor } from "@/app/_server/actor";
import { orNotFound } from "@/app/_server/not-found";
import { StudyView } from "@/components/hpo/study-view";
import { PageHeader } from "@/components/ui/page-header";
import { getStudyDetail } from "@/lib/hpo";

export const metadata: Metadata = { title: "Study" };
export const dynamic = "force-dynamic";

export default async function StudyPage({ params }: { params: Promise<{ id: string }> }) {
  await requirePageActor();
  const { id } = await params;
  const detail = await orNotFound(getStudyDetail(id));
  return (
    <>
      <PageHeader
        title={detail.study.name}
        description={
          <Link className="text-indigo-600 hover:underline dark:text-indigo-400" href="/studies">
            All studies
          </Link>
        }
      />
      <StudyView initial={detail} />
    </>
  );
}
