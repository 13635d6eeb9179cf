// A/B tests: traffic splits between model versions, sticky assignment, and their statistics.
import { requireRole, type Actor } from "../auth";
import type { Promotion } from "../registry";
import { conflict } from "../errors";
import { analyzeTest, type Analysis } from "./analysis";
import { getAbTest, promoteArm, stopAbTestWithWinner, type AbTest } from "./lifecycle";

export { assignArm, assignArmNow, bucketOf, BUCKETS, invalidateAssignmentCache, type ArmAssignment } from "./assign";
export { analyze, SEQUENTIAL_BURN_IN, type Analysis, type ArmResult, type ComparisonResult, type TimelinePoint } from "./analysis";
export { createAbTest, getAbTest, listAbTests, pauseAbTest, startAbTest, DEFAULT_MIN_SAMPLES, type AbTest, type AbTestArm } from "./lifecycle";
export { createAbTestInput, listAbTestsQuery, promoteWinnerInput, METRIC_KINDS, SHADOW_ARM, TEST_STATES, type CreateAbTestInput, type MetricKind, type TestState } from "./schemas";
export { DEFAULT_TAU } from "./sequential";
export { formatLift, formatP, formatValue } from "./verdict";

export async function analyzeAbTest(id: string): Promise<Analysis> {
  return analyzeTest(await getAbTest(id));
}

/** Stops the test; the winner the analysis names at that moment is recorded on it. */
export async function stopAbTest(id: string, actor: Actor | null): Promise<AbTest> {
  const test = await getAbTest(id);
  const winner = test.state === "stopped" ? test.winner_arm : (await analyzeTest(test)).winner;
  return stopAbTestWithWinner(id, actor, winner);
}

/** "Promote winner" on a stopped test: moves `champion` to the version of the arm the analysis names. */
export async function promoteWinner(id: string, actor: Actor | null, reason?: string): Promise<{ test: AbTest; promotion: Promotion; analysis: Analysis }> {
  if (actor) requireRole(actor, "editor");
  const test = await getAbTest(id);
  if (test.state !== "stopped") throw conflict(`Stop A/B test '${test.name}' before promoting its winner`);
  const analysis = await analyzeTest(test);
  if (!analysis.winner) throw conflict(`A/B test '${test.name}' has no winner to promote: ${analysis.verdict}`);
  const promotion = await promoteArm(test, analysis.winner, actor, reason);
  return { test: await getAbTest(id), promotion, analysis };
}
export { abtestApi } from "./api";
