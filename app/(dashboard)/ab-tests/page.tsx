import type { Metadata } from "next";
import Link from "next/link";
import { can, requirePageActor } from "@/app/_server/actor";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { LocalTime } from "@/components/ui/time";
import { listAbTests } from "@/lib/abtest";

export const metadata: Metadata = { title: "A/B tests" };

const STATE_TONES: Record<string, BadgeTone> = { draft: "gray", running: "blue", paused: "amber", stopped: "gray" };

export default async function AbTestsPage() {
  const actor = await requirePageActor();
  const tests = await listAbTests();
  const canEdit = can(actor, "editor");

  return (
    <>
      <PageHeader
        title="A/B tests"
        description="Traffic split between a champion and challengers, with the statistics to pick a winner."
        actions={
          canEdit ? (
            <Link href="/ab-tests/new" className="btn-primary">
              New A/B test
            </Link>
          ) : undefined
        }
      />
      {tests.length === 0 ? (
        <EmptyState title="No A/B tests yet">
          <p>
            Register at least two versions of a model, then start a test that splits its predict traffic between them.
            Send feedback for predictions so the test can measure each arm.
          </p>
        </EmptyState>
      ) : (
        <Table caption="A/B tests">
          <THead>
            <Th>Name</Th>
            <Th>Model</Th>
            <Th>State</Th>
            <Th>Arms</Th>
            <Th>Metric</Th>
            <Th>Winner</Th>
            <Th>Started</Th>
            <Th>Stopped</Th>
          </THead>
          <TBody>
            {tests.map((t) => (
              <Tr key={t.id}>
                <Td className="font-medium">
                  <Link href={`/ab-tests/${t.id}`} className="link">
                    {t.name}
                  </Link>
                </Td>
                <Td>
                  <Link href={`/models/${encodeURIComponent(t.model)}`} className="link">
                    {t.model}
                  </Link>
                </Td>
                <Td>
                  <Badge tone={STATE_TONES[t.state] ?? "gray"}>{t.state}</Badge>
                </Td>
                <Td>
                  <ul className="space-y-0.5 text-xs">
                    {t.arms.map((a) => (
                      <li key={a.name} className="whitespace-nowrap">
                        <span className="font-medium">{a.name}</span> v{a.version} <span className="text-zinc-500 dark:text-zinc-400">{a.weight}%</span>
                      </li>
                    ))}
                    {t.shadow && (
                      <li className="whitespace-nowrap">
                        <span className="font-medium">shadow</span> v{t.shadow.version}
                      </li>
                    )}
                  </ul>
                </Td>
                <Td>{t.metric.kind}</Td>
                <Td>{t.winner_arm ?? <span className="text-zinc-400 dark:text-zinc-500">–</span>}</Td>
                <Td>
                  <LocalTime value={t.started_at} />
                </Td>
                <Td>
                  <LocalTime value={t.stopped_at} />
                </Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      )}
    </>
  );
}
