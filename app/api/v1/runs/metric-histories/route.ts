import { route } from "@/lib/http";
import { compareMetricHistories, metricHistoriesInput } from "@/lib/tracking";

export const dynamic = "force-dynamic";

// A compare view's curves: sampled in SQL and reduced with LTTB on the server, never whole histories.
export const POST = route({ role: "viewer", body: metricHistoriesInput }, async ({ body }) => ({
  maxPoints: body.maxPoints,
  runs: await compareMetricHistories(body.runIds, body.keys, body.maxPoints),
}));
