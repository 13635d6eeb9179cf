import { promoteWinner, promoteWinnerInput } from "@/lib/abtest";
import { route } from "@/lib/http";

/** Moves `champion` to the winning arm's version of a stopped test (audited). */
export const POST = route({ role: "editor", body: promoteWinnerInput }, async ({ actor, params, body }) => {
  const { test, promotion } = await promoteWinner(params.id!, actor, body.reason);
  return { ab_test: test, promotion };
});
