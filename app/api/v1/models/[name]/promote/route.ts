import { promote, promoteInput } from "@/lib/registry";
import { route } from "@/lib/http";

/** Moves the alias (default champion) to the version and records the audit entry, in one transaction. */
export const POST = route({ role: "editor", body: promoteInput }, async ({ actor, body, params }) =>
  promote(actor, params.name!, body.version, { alias: body.alias, reason: body.reason }),
);
