import { getMetricHistory, metricHistoryQuery } from "@/lib/tracking";
import { route } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = route({ role: "viewer", query: metricHistoryQuery }, async ({ params, query }) => ({
  key: query.key,
  points: await getMetricHistory(params.id!, query.key, { maxPoints: query.max_points }),
}));
