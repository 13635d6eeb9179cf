import { promotionHistory, promotionsQuery } from "@/lib/registry";
import { route } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = route({ role: "viewer", query: promotionsQuery }, async ({ params, query }) => ({
  promotions: await promotionHistory(params.name!, query.alias, query.limit),
}));
