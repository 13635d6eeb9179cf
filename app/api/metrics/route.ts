import { metricsText } from "@/lib/observability/health";

export const dynamic = "force-dynamic";

/** Prometheus exposition format. */
export async function GET() {
  const { contentType, body } = await metricsText();
  return new Response(body, { headers: { "content-type": contentType } });
}
