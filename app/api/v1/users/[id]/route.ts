import { z } from "zod";
import { roleSchema, updateUser } from "@/lib/auth";
import { route } from "@/lib/http";

export const PATCH = route(
  {
    role: "admin",
    body: z
      .object({ role: roleSchema.optional(), disabled: z.boolean().optional() })
      .strict()
      .refine((b) => b.role !== undefined || b.disabled !== undefined, "Send role and/or disabled"),
  },
  // Role and disabled change together or not at all (one transaction).
  async ({ actor, body, params }) => updateUser(actor, params.id!, body),
);
