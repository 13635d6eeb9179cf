import { searchRuns, searchRunsInput } from "@/lib/tracking";
import { route } from "@/lib/http";

export const dynamic = "force-dynamic";

/** A read, sent as POST because filters and order-by lists do not fit a query string well. */
export const POST = route({ role: "viewer", body: searchRunsInput }, async ({ body }) => {
  const page = await searchRuns(body);
  return { runs: page.items, nextPageToken: page.nextPageToken };
});
