import { json } from "@/lib/http";

export const dynamic = "force-dynamic";

/** Liveness: the process answers. */
export function GET() {
  return json({ status: "ok" });
}
