import { revokeApiKey } from "@/lib/auth";
import { route } from "@/lib/http";

/** Revokes the key; it stays listed with its revocation time. */
export const DELETE = route({ role: "admin" }, async ({ actor, params }) => revokeApiKey(actor, params.id!));
