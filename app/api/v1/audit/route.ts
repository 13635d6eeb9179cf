import { z } from "zod";
import { listAudit } from "@/lib/auth";
import { route } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    role: "viewer",
    query: z.object({
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      target_type: z.string().max(50).optional(),
      target_id: z.string().max(200).optional(),
    }),
  },
  async ({ query }) => ({ entries: await listAudit({ limit: query.limit, targetType: query.target_type, targetId: query.target_id }) }),
);
