import type { Metadata } from "next";
import { can, requirePageActor } from "@/app/_server/actor";
import { JobList } from "@/components/jobs/job-list";
import { PageHeader } from "@/components/ui/page-header";
import { JOB_STATES, listJobs } from "@/lib/jobs";
import { cancelJobAction, runCleanupAction } from "./actions";

export const metadata: Metadata = { title: "Jobs" };

export default async function JobsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requirePageActor();
  const sp = await searchParams;
  // ?highlight=<jobId>: the job a form just queued (training, pipeline run) is marked and scrolled to.
  const asked = Array.isArray(sp.highlight) ? sp.highlight[0] : sp.highlight;
  const highlight = asked && /^[A-Za-z0-9_-]{1,100}$/.test(asked) ? asked : null;
  // First page rendered on the server so the list shows at once; the client then polls.
  const initial = await listJobs({ limit: 50 });
  return (
    <>
      <PageHeader
        title="Jobs"
        description="Work that runs in the background on workers: training, tuning, scoring, drift reports and cleanup. Updates live."
      />
      <JobList
        states={JOB_STATES}
        initial={initial}
        highlight={highlight}
        canCancel={can(actor, "editor")}
        isAdmin={can(actor, "admin")}
        cancelJob={cancelJobAction}
        runCleanup={runCleanupAction}
      />
    </>
  );
}
