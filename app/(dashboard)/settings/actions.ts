"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/app/_server/action";
import {
  createApiKey,
  createApiKeyInput,
  createUser,
  createUserInput,
  revokeApiKey,
  roleSchema,
  setUserDisabled,
  setUserRole,
} from "@/lib/auth";
import { predictionRetentionInput, setPredictionRetention } from "@/lib/jobs";

const id = z.string().min(1).max(100);

export const createUserAction = action("admin", createUserInput, async (input, actor) => {
  const user = await createUser(input, actor);
  revalidatePath("/settings/users");
  return { id: user.id, email: user.email };
});

export const setUserRoleAction = action("admin", z.object({ id, role: roleSchema }), async (input, actor) => {
  const user = await setUserRole(actor, input.id, input.role);
  revalidatePath("/settings/users");
  return { id: user.id, role: user.role };
});

export const setUserDisabledAction = action("admin", z.object({ id, disabled: z.boolean() }), async (input, actor) => {
  const user = await setUserDisabled(actor, input.id, input.disabled);
  revalidatePath("/settings/users");
  return { id: user.id, disabled: user.disabled };
});

export const createApiKeyAction = action("admin", createApiKeyInput, async (input, actor) => {
  const { key, info } = await createApiKey(input, actor);
  revalidatePath("/settings/api-keys");
  // The plaintext key leaves the server here and nowhere else; only its hash is stored.
  return { key, id: info.id, name: info.name, role: info.role };
});

export const revokeApiKeyAction = action("admin", z.object({ id }), async (input, actor) => {
  const info = await revokeApiKey(actor, input.id);
  revalidatePath("/settings/api-keys");
  return { id: info.id };
});

export const setPredictionRetentionAction = action("admin", predictionRetentionInput, async (input, actor) => {
  const r = await setPredictionRetention(actor, input);
  revalidatePath("/settings");
  return { days: r.days, source: r.source };
});
