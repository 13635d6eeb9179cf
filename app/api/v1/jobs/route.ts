import { z } from "zod";
import { JOB_STATES, listJobs } from "@/lib/jobs";
import { startMaintenance } from "@/lib/jobs/actions";
import { json, route } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    role: "viewer",
    query: z.object({
      state: z.enum(JOB_STATES).optional(),
      type: z.string().max(64).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(50),
      offset: z.coerce.number().int().min(0).default(0),
    }),
  },
  async ({ query }) => listJobs(query),
);

// Domain jobs (training, scoring, drift) are started by their own endpoints; this one starts maintenance.
export const POST = route(
  { role: "admin", body: z.object({ type: z.literal("maintenance.cleanup"), payload: z.object({ retentionDays: z.number().int().min(1).max(3650).optional() }).strict().default({}) }).strict() },
  async ({ body, actor }) => json(await startMaintenance(actor, body.payload), 201),
);
