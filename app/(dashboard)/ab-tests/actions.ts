"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/app/_server/action";
import { createAbTest, createAbTestInput, pauseAbTest, promoteWinner, startAbTest, stopAbTest } from "@/lib/abtest";

const idInput = z.object({ id: z.string().min(1) });

function refresh(id?: string) {
  revalidatePath("/ab-tests");
  if (id) revalidatePath(`/ab-tests/${id}`);
}

/** Creates the test as a draft and, when asked, starts it at once. */
export const createAbTestAction = action("editor", createAbTestInput.extend({ start: z.boolean().optional() }), async ({ start, ...input }, actor) => {
  const test = await createAbTest(input, actor);
  if (start) await startAbTest(test.id, actor);
  refresh(test.id);
  return { id: test.id };
});

export const startAbTestAction = action("editor", idInput, async ({ id }, actor) => {
  const t = await startAbTest(id, actor);
  refresh(id);
  return { state: t.state };
});

export const pauseAbTestAction = action("editor", idInput, async ({ id }, actor) => {
  const t = await pauseAbTest(id, actor);
  refresh(id);
  return { state: t.state };
});

export const stopAbTestAction = action("editor", idInput, async ({ id }, actor) => {
  const t = await stopAbTest(id, actor);
  refresh(id);
  return { state: t.state };
});

export const promoteWinnerAction = action("editor", idInput.extend({ reason: z.string().trim().max(2000).optional() }), async ({ id, reason }, actor) => {
  const { promotion, test } = await promoteWinner(id, actor, reason || undefined);
  refresh(id);
  revalidatePath(`/models/${encodeURIComponent(test.model)}`);
  return { fromVersion: promotion.fromVersion, toVersion: promotion.toVersion, changed: promotion.changed, model: test.model };
});
