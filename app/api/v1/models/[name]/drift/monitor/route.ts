import { route } from "@/lib/http";
import { deleteMonitor, getMonitor, monitorInputSchema, upsertMonitor } from "@/lib/monitoring";

export const dynamic = "force-dynamic";

export const GET = route({ role: "viewer" }, async ({ params }) => getMonitor(params.name!));

export const PUT = route({ role: "editor", body: monitorInputSchema }, async ({ actor, body, params }) => upsertMonitor(actor, params.name!, body ?? {}));

export const DELETE = route({ role: "editor" }, async ({ actor, params }) => {
  await deleteMonitor(actor, params.name!);
  return { ok: true };
});
