"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/app/_server/action";
import { aliasSchema, modelNameSchema, promote, promoteInput, rollbackPromotion, type Promotion } from "@/lib/registry";

const reason = z.string().trim().min(1, "Give a reason: it goes into the audit log").max(2000);

function summary(p: Promotion) {
  return { alias: p.alias, fromVersion: p.fromVersion, toVersion: p.toVersion, changed: p.changed };
}

/** Moves an alias to a version; the registry writes the audit entry in the same transaction. */
export const promoteAction = action("editor", promoteInput.extend({ name: modelNameSchema, reason }), async (input, actor) => {
  const p = await promote(actor, input.name, input.version, { alias: input.alias, reason: input.reason });
  revalidatePath(`/models/${encodeURIComponent(input.name)}`);
  return summary(p);
});

/** Points the alias back at the version it named before its latest promotion. */
export const rollbackAction = action("editor", z.object({ name: modelNameSchema, alias: aliasSchema, reason }), async (input, actor) => {
  const p = await rollbackPromotion(actor, input.name, { alias: input.alias, reason: input.reason });
  revalidatePath(`/models/${encodeURIComponent(input.name)}`);
  return summary(p);
});
