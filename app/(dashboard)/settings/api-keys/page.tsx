import type { Metadata } from "next";
import Link from "next/link";
import { can, requirePageActor } from "@/app/_server/actor";
import { ApiKeyTable } from "@/components/settings/api-key-table";
import { CreateApiKeyForm } from "@/components/settings/create-api-key-form";
import { Forbidden } from "@/components/ui/forbidden";
import { PageHeader } from "@/components/ui/page-header";
import { listApiKeys, ROLES } from "@/lib/auth";
import { createApiKeyAction, revokeApiKeyAction } from "../actions";

export const metadata: Metadata = { title: "API keys" };

export default async function ApiKeysPage() {
  const actor = await requirePageActor();
  const header = (
    <PageHeader
      title="API keys"
      description={
        <>
          <Link href="/settings" className="link">Settings</Link> / Keys for scripts, CI, the MLflow client and the predict API.
          Send one as <code className="font-mono text-xs">Authorization: Bearer &lt;key&gt;</code>; a key acts with its own role.
        </>
      }
    />
  );
  // Checked here, on the server: keys are never listed to a non-admin.
  if (!can(actor, "admin")) {
    return (
      <>
        {header}
        <Forbidden title="Only admins can manage API keys">
          You are signed in as {actor.label} with the {actor.role} role. Ask an admin for a key.
        </Forbidden>
      </>
    );
  }
  const keys = await listApiKeys(actor);
  return (
    <>
      {header}
      <div className="space-y-6">
        <CreateApiKeyForm roles={ROLES} createKey={createApiKeyAction} />
        <ApiKeyTable keys={keys} revokeKey={revokeApiKeyAction} />
      </div>
    </>
  );
}
