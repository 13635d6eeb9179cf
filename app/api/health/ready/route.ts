import { readiness } from "@/lib/observability/health";
import { json } from "@/lib/http";

export const dynamic = "force-dynamic";

/** Readiness: the database answers and is migrated (200), else 503. */
export async function GET() {
  const r = await readiness();
  return json(r, r.status === "ready" ? 200 : 503);
}
