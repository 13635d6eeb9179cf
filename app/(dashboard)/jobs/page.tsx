import type { Metadata } from "next";
import { can, requirePageActor } from "@/app/_server/actor";
import { JobList } from "@/components/jobs/job-list";
import { PageHeader } from "@/components/ui/page-header";
import { JOB_STATES, listJobs } from "@/lib/jobs";
import { cancelJobAction, runCleanupAction } from "./actions";

export const metadata: Metadata = { title: "Jobs" };

export default async function JobsPage() {
  const actor = await requirePageActor();
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
        canCancel={can(actor, "editor")}
        isAdmin={can(actor, "admin")}
        cancelJob={cancelJobAction}
        runCleanup={runCleanupAction}
      />
    </>
  );
}
