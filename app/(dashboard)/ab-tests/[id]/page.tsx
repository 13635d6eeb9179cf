import type { Metadata } from "next";
import Link from "next/link";
import { can, requirePageActor } from "@/app/_server/actor";
import { orNotFound } from "@/app/_server/not-found";
import { AbTestControls } from "@/components/abtest/ab-test-controls";
import { AbTestResults } from "@/components/abtest/ab-test-results";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { PageHeader } from "@/components/ui/page-header";
import { LocalTime } from "@/components/ui/time";
import { analyzeAbTest, getAbTest } from "@/lib/abtest";
import { pauseAbTestAction, promoteWinnerAction, startAbTestAction, stopAbTestAction } from "../actions";

export const metadata: Metadata = { title: "A/B test" };

const STATE_TONES: Record<string, BadgeTone> = { draft: "gray", running: "blue", paused: "amber", stopped: "gray" };

export default async function AbTestPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePageActor();
  const { id } = await params;
  const test = await orNotFound(getAbTest(id));
  const analysis = await analyzeAbTest(id);
  const canEdit = can(actor, "editor");

  return (
    <>
      <PageHeader
        title={test.name}
        description={
          <span className="flex flex-wrap items-center gap-x-3 gap-y-1">
            <Badge tone={STATE_TONES[test.state] ?? "gray"}>{test.state}</Badge>
            <span>
              Model{" "}
              <Link href={`/models/${encodeURIComponent(test.model)}`} className="link">
                {test.model}
              </Link>
            </span>
            <span>Metric {test.metric.kind}</span>
            <span>
              Started <LocalTime value={test.started_at} />
            </span>
            {test.stopped_at && (
              <span>
                Stopped <LocalTime value={test.stopped_at} />
              </span>
            )}
          </span>
        }
        actions={<AbTestControls id={test.id} state={test.state} canEdit={canEdit} start={startAbTestAction} pause={pauseAbTestAction} stop={stopAbTestAction} />}
      />
      <AbTestResults id={test.id} initial={analysis} modelName={test.model} canEdit={canEdit} promote={promoteWinnerAction} />
    </>
  );
}
