import { METRICS_UNAUTHORIZED, metricsTokenAccepted } from "@/lib/observability";
import { metricsText } from "@/lib/observability/health";

export const dynamic = "force-dynamic";

/** Prometheus exposition format (server.ts answers this path first; this serves `next` alone). */
export async function GET(req: Request) {
  if (!metricsTokenAccepted(req.headers.get("authorization"))) {
    return new Response(METRICS_UNAUTHORIZED.body, { status: METRICS_UNAUTHORIZED.status, headers: METRICS_UNAUTHORIZED.headers });
  }
  const { contentType, body } = await metricsText();
  return new Response(body, { headers: { "content-type": contentType } });
}
