// The A/B test REST operations, for the OpenAPI document.
import type { ApiOperation } from "../http";
import { createAbTestInput, listAbTestsQuery, promoteWinnerInput } from "./schemas";

const T = "A/B tests";
const ONE = "/api/v1/ab-tests/{id}";

export const abtestApi: ApiOperation[] = [
  { method: "get", path: "/api/v1/ab-tests", tag: T, role: "viewer", summary: "List A/B tests (filter by model name and state)", query: listAbTestsQuery },
  { method: "post", path: "/api/v1/ab-tests", tag: T, role: "editor", summary: "Create an A/B test (draft); weights sum to 100, the first arm is the baseline", body: createAbTestInput, status: 201 },
  { method: "get", path: ONE, tag: T, role: "viewer", summary: "Get an A/B test" },
  { method: "post", path: `${ONE}/start`, tag: T, role: "editor", summary: "Start or resume (one running test per model)" },
  { method: "post", path: `${ONE}/pause`, tag: T, role: "editor", summary: "Pause: traffic goes back to champion" },
  { method: "post", path: `${ONE}/stop`, tag: T, role: "editor", summary: "Stop for good, recording the winner the analysis names" },
  { method: "get", path: `${ONE}/analysis`, tag: T, role: "viewer", summary: "Per-arm estimates, comparisons with fixed and always-valid p-values, SRM, verdict" },
  { method: "post", path: `${ONE}/promote`, tag: T, role: "editor", summary: "Move champion to the winning arm's version of a stopped test (audited)", body: promoteWinnerInput },
];
