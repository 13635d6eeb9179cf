import "server-only";
import { z } from "zod";
import { requireRole, type Actor, type Role } from "@/lib/auth";
import { toErrorResponse } from "@/lib/errors";
import { logger } from "@/lib/observability";
import { currentActor } from "./actor";

export type ActionResult<T = unknown> = { ok: true; data: T } | { ok: false; error: string; code: string };

/**
 * Wraps a server action: the signed-in user must have `role`, input is parsed with `schema`,
 * and errors come back as a message for the form instead of a thrown exception. An object input is
 * strict: a field the action does not take is refused, not silently dropped.
 */
export function action<S extends z.ZodType, T>(
  role: Role,
  schema: S,
  fn: (input: z.infer<S>, actor: Actor) => Promise<T>,
): (input: z.input<S>) => Promise<ActionResult<T>> {
  const checked: z.ZodType = schema instanceof z.ZodObject ? schema.strict() : schema;
  return async (input) => {
    try {
      const actor = requireRole(await currentActor(), role);
      const parsed = checked.safeParse(input);
      if (!parsed.success) {
        return { ok: false, code: "invalid", error: parsed.error.issues.map((i) => i.message).join("; ") };
      }
      return { ok: true, data: await fn(parsed.data as z.infer<S>, actor) };
    } catch (err) {
      const { body, status } = toErrorResponse(err);
      if (status >= 500) logger().error({ err }, "server action failed");
      return { ok: false, code: body.error.code, error: body.error.message };
    }
  };
}
