import { z } from "zod";
import { getUser, roleSchema, setUserDisabled, setUserRole } from "@/lib/auth";
import { notFound } from "@/lib/errors";
import { route } from "@/lib/http";

export const PATCH = route(
  {
    role: "admin",
    body: z
      .object({ role: roleSchema.optional(), disabled: z.boolean().optional() })
      .strict()
      .refine((b) => b.role !== undefined || b.disabled !== undefined, "Send role and/or disabled"),
  },
  async ({ actor, body, params }) => {
    const id = params.id!;
    if (!(await getUser(id))) throw notFound("User", id);
    let user = body.role !== undefined ? await setUserRole(actor, id, body.role) : null;
    if (body.disabled !== undefined) user = await setUserDisabled(actor, id, body.disabled);
    return user;
  },
);
