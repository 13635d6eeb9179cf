import type { Metadata } from "next";
import Link from "next/link";
import { can, requirePageActor } from "@/app/_server/actor";
import { AbTestForm, type ModelChoice } from "@/components/abtest/ab-test-form";
import { Forbidden } from "@/components/ui/forbidden";
import { PageHeader } from "@/components/ui/page-header";
import { listModelVersions, listRegisteredModels } from "@/lib/registry";
import { createAbTestAction } from "../actions";

export const metadata: Metadata = { title: "New A/B test" };

export default async function NewAbTestPage({ searchParams }: { searchParams: Promise<{ model?: string }> }) {
  const actor = await requirePageActor();
  const { model } = await searchParams;
  if (!can(actor, "editor")) return <Forbidden title="Editors and admins set up A/B tests" />;
  const page = await listRegisteredModels({ maxResults: 1000 });
  const models: ModelChoice[] = await Promise.all(
    page.items.map(async (m) => ({
      name: m.name,
      aliases: m.aliases,
      versions: (await listModelVersions(m.name)).map((v) => v.version).sort((a, b) => b - a),
    })),
  );
  return (
    <>
      <PageHeader
        title="New A/B test"
        description={
          <>
            Split a model&apos;s predict traffic between versions. Assignment is sticky per <code>unit_id</code>. See{" "}
            <Link href="/ab-tests" className="link">
              all tests
            </Link>
            .
          </>
        }
      />
      <AbTestForm models={models.filter((m) => m.versions.length > 0)} initialModel={model} create={createAbTestAction} />
    </>
  );
}
