import { route } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = route({ role: "viewer" }, async ({ actor }) => ({
  kind: actor.kind,
  id: actor.id,
  label: actor.label,
  role: actor.role,
}));
