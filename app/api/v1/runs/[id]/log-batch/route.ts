import { readJson, route } from "@/lib/http";
import { logBatch, type LogBatchInput } from "@/lib/tracking";

// The body is validated once, by logBatch (a hand check with Zod's rules, Zod for anything unusual).
export const POST = route({ role: "editor" }, async ({ req, actor, params }) =>
  logBatch(actor, params.id!, (await readJson(req)) as LogBatchInput),
);
