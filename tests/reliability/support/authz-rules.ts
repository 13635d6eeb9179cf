// The expected access of every route handler, MLflow endpoint, fast-path serving route and server
// action: one line per route template + method. tests/reliability/authz-matrix.test.ts discovers the
// routes from the code and fails when a route has no line here or a line names a route that is gone.
//
//   public  — no credentials needed (health, metrics, the OpenAPI document, sign-in itself)
//   viewer  — any signed-in user or API key ("read everything", docs/security.md)
//   editor  — changes data: datasets, runs, models, promotions, A/B tests, pipelines, monitors
//   admin   — users, API keys, maintenance jobs
import type { Role } from "@/lib/auth";

export type Access = "public" | Role;
export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "ACTION";

/** [method, route template, access]. Actions are "ACTION" + "<page folder>#<exported name>". */
export type Rule = readonly [Method, string, Access];

const V1 = "/api/v1";
const MODEL = `${V1}/models/[name]`;
const MLFLOW = "/api/2.0/mlflow";

export const RULES: readonly Rule[] = [
  // Platform
  ["GET", "/api/health", "public"],
  ["GET", "/api/health/ready", "public"],
  ["GET", "/api/metrics", "public"],
  ["GET", `${V1}/openapi.json`, "public"],
  ["GET", "/api/auth/[...nextauth]", "public"],
  ["POST", "/api/auth/[...nextauth]", "public"],
  ["GET", `${V1}/me`, "viewer"],
  ["GET", `${V1}/audit`, "viewer"],
  ["GET", `${V1}/users`, "admin"],
  ["POST", `${V1}/users`, "admin"],
  ["PATCH", `${V1}/users/[id]`, "admin"],
  ["GET", `${V1}/api-keys`, "admin"],
  ["POST", `${V1}/api-keys`, "admin"],
  ["DELETE", `${V1}/api-keys/[id]`, "admin"],
  ["GET", `${V1}/jobs`, "viewer"],
  ["POST", `${V1}/jobs`, "admin"],
  ["GET", `${V1}/jobs/[id]`, "viewer"],
  ["GET", `${V1}/settings/prediction-retention`, "viewer"],
  ["PUT", `${V1}/settings/prediction-retention`, "admin"],
  ["POST", `${V1}/jobs/[id]/cancel`, "editor"],

  // Tracking
  ["GET", `${V1}/experiments`, "viewer"],
  ["POST", `${V1}/experiments`, "editor"],
  ["GET", `${V1}/experiments/[id]`, "viewer"],
  ["PATCH", `${V1}/experiments/[id]`, "editor"],
  ["DELETE", `${V1}/experiments/[id]`, "editor"],
  ["POST", `${V1}/experiments/[id]/restore`, "editor"],
  ["POST", `${V1}/runs`, "editor"],
  ["POST", `${V1}/runs/search`, "viewer"],
  ["POST", `${V1}/runs/metric-histories`, "viewer"],
  ["GET", `${V1}/runs/[id]`, "viewer"],
  ["PATCH", `${V1}/runs/[id]`, "editor"],
  ["DELETE", `${V1}/runs/[id]`, "editor"],
  ["POST", `${V1}/runs/[id]/restore`, "editor"],
  ["POST", `${V1}/runs/[id]/log-batch`, "editor"],
  ["GET", `${V1}/runs/[id]/metric-history`, "viewer"],
  ["GET", `${V1}/runs/[id]/lineage`, "viewer"],
  ["GET", `${V1}/runs/[id]/artifacts`, "viewer"],
  ["GET", `${V1}/runs/[id]/artifacts/[...path]`, "viewer"],
  ["PUT", `${V1}/runs/[id]/artifacts/[...path]`, "editor"],

  // Datasets
  ["GET", `${V1}/datasets`, "viewer"],
  ["POST", `${V1}/datasets`, "editor"],
  ["GET", `${V1}/datasets/[name]`, "viewer"],
  ["GET", `${V1}/datasets/[name]/versions/[version]`, "viewer"],
  ["GET", `${V1}/datasets/[name]/versions/[version]/download`, "viewer"],
  ["GET", `${V1}/datasets/[name]/versions/[version]/preview`, "viewer"],
  ["PUT", `${V1}/datasets/[name]/versions/[version]/schema`, "editor"],

  // Training, HPO, pipelines
  ["POST", `${V1}/training-runs`, "editor"],
  ["GET", `${V1}/studies`, "viewer"],
  ["GET", `${V1}/studies/[id]`, "viewer"],
  ["POST", `${V1}/studies/[id]/stop`, "editor"],
  ["GET", `${V1}/studies/[id]/trials`, "viewer"],
  ["GET", `${V1}/pipelines`, "viewer"],
  ["POST", `${V1}/pipelines`, "editor"],
  ["GET", `${V1}/pipelines/[id]`, "viewer"],
  ["PATCH", `${V1}/pipelines/[id]`, "editor"],
  ["DELETE", `${V1}/pipelines/[id]`, "editor"],
  ["POST", `${V1}/pipelines/[id]/run`, "editor"],
  ["GET", `${V1}/pipelines/[id]/runs`, "viewer"],

  // Registry
  ["GET", `${V1}/models`, "viewer"],
  ["POST", `${V1}/models`, "editor"],
  ["GET", MODEL, "viewer"],
  ["PATCH", MODEL, "editor"],
  ["DELETE", MODEL, "editor"],
  ["GET", `${MODEL}/versions`, "viewer"],
  ["POST", `${MODEL}/versions`, "editor"],
  ["GET", `${MODEL}/versions/[version]`, "viewer"],
  ["PATCH", `${MODEL}/versions/[version]`, "editor"],
  ["DELETE", `${MODEL}/versions/[version]`, "editor"],
  ["POST", `${MODEL}/versions/[version]/stage`, "editor"],
  ["GET", `${MODEL}/versions/[version]/lineage`, "viewer"],
  ["GET", `${MODEL}/aliases/[alias]`, "viewer"],
  ["PUT", `${MODEL}/aliases/[alias]`, "editor"],
  ["DELETE", `${MODEL}/aliases/[alias]`, "editor"],
  ["POST", `${MODEL}/promote`, "editor"],
  ["POST", `${MODEL}/rollback`, "editor"],
  ["GET", `${MODEL}/promotions`, "viewer"],

  // Serving: batch scoring (Next) and the node:http fast path (lib/serving/http.ts)
  ["GET", `${MODEL}/batch-predictions`, "viewer"],
  ["POST", `${MODEL}/batch-predictions`, "editor"],
  ["GET", `${MODEL}/batch-predictions/[id]`, "viewer"],
  ["GET", `${MODEL}/batch-predictions/[id]/download`, "viewer"],
  ["POST", `${MODEL}/predict`, "viewer"],
  ["POST", `${V1}/predictions/feedback`, "viewer"],
  ["POST", "/v1/models/[name]:predict", "viewer"],
  ["POST", "/v2/models/[name]/infer", "viewer"],
  ["POST", "/v2/models/[name]/versions/[v]/infer", "viewer"],
  ["GET", "/v2/models/[name]", "viewer"],
  ["GET", "/v2/models/[name]/ready", "viewer"],
  ["GET", "/v2/models/[name]/versions/[v]", "viewer"],
  ["GET", "/v2/models/[name]/versions/[v]/ready", "viewer"],
  ["GET", "/v2/health/live", "public"],
  ["GET", "/v2/health/ready", "public"],

  // A/B tests
  ["GET", `${V1}/ab-tests`, "viewer"],
  ["POST", `${V1}/ab-tests`, "editor"],
  ["GET", `${V1}/ab-tests/[id]`, "viewer"],
  ["GET", `${V1}/ab-tests/[id]/analysis`, "viewer"],
  ["POST", `${V1}/ab-tests/[id]/start`, "editor"],
  ["POST", `${V1}/ab-tests/[id]/pause`, "editor"],
  ["POST", `${V1}/ab-tests/[id]/stop`, "editor"],
  ["POST", `${V1}/ab-tests/[id]/promote`, "editor"],

  // Drift and monitoring
  ["GET", `${V1}/monitors`, "viewer"],
  ["GET", `${V1}/alerts`, "viewer"],
  ["POST", `${V1}/alerts/[id]/acknowledge`, "editor"],
  ["GET", `${MODEL}/drift/monitor`, "viewer"],
  ["PUT", `${MODEL}/drift/monitor`, "editor"],
  ["DELETE", `${MODEL}/drift/monitor`, "editor"],
  ["GET", `${MODEL}/drift/reports`, "viewer"],
  ["POST", `${MODEL}/drift/reports`, "editor"],
  ["POST", `${MODEL}/drift/reports/csv`, "editor"],
  ["GET", `${MODEL}/drift/reports/[id]`, "viewer"],
  ["GET", `${MODEL}/drift/retrainings`, "viewer"],

  // MLflow REST API (the catch-all routes' endpoint tables in lib/mlflow)
  ["GET", `${MLFLOW}/experiments/get-by-name`, "viewer"],
  ["GET", `${MLFLOW}/experiments/get`, "viewer"],
  ["POST", `${MLFLOW}/experiments/create`, "editor"],
  ["POST", `${MLFLOW}/experiments/search`, "viewer"],
  ["GET", `${MLFLOW}/experiments/search`, "viewer"],
  ["POST", `${MLFLOW}/experiments/update`, "editor"],
  ["POST", `${MLFLOW}/experiments/delete`, "editor"],
  ["POST", `${MLFLOW}/experiments/restore`, "editor"],
  ["POST", `${MLFLOW}/experiments/set-experiment-tag`, "editor"],
  ["POST", `${MLFLOW}/experiments/delete-experiment-tag`, "editor"],
  ["POST", `${MLFLOW}/runs/create`, "editor"],
  ["POST", `${MLFLOW}/runs/update`, "editor"],
  ["GET", `${MLFLOW}/runs/get`, "viewer"],
  ["POST", `${MLFLOW}/runs/delete`, "editor"],
  ["POST", `${MLFLOW}/runs/restore`, "editor"],
  ["POST", `${MLFLOW}/runs/log-metric`, "editor"],
  ["POST", `${MLFLOW}/runs/log-parameter`, "editor"],
  ["POST", `${MLFLOW}/runs/set-tag`, "editor"],
  ["POST", `${MLFLOW}/runs/delete-tag`, "editor"],
  ["POST", `${MLFLOW}/runs/log-batch`, "editor"],
  ["POST", `${MLFLOW}/runs/search`, "viewer"],
  ["POST", `${MLFLOW}/runs/log-inputs`, "editor"],
  ["POST", `${MLFLOW}/runs/outputs`, "editor"],
  ["POST", `${MLFLOW}/logged-models`, "editor"],
  ["POST", `${MLFLOW}/logged-models/search`, "viewer"],
  ["GET", `${MLFLOW}/logged-models/[model_id]`, "viewer"],
  ["PATCH", `${MLFLOW}/logged-models/[model_id]`, "editor"],
  ["DELETE", `${MLFLOW}/logged-models/[model_id]`, "editor"],
  ["PATCH", `${MLFLOW}/logged-models/[model_id]/tags`, "editor"],
  ["DELETE", `${MLFLOW}/logged-models/[model_id]/tags/[...path]`, "editor"],
  ["POST", `${MLFLOW}/logged-models/[model_id]/params`, "editor"],
  ["GET", `${MLFLOW}/logged-models/[model_id]/artifacts/directories`, "viewer"],
  ["GET", `${MLFLOW}/logged-models/[model_id]/artifacts/files`, "viewer"],
  ["GET", `${MLFLOW}/metrics/get-history`, "viewer"],
  ["GET", `${MLFLOW}/artifacts/list`, "viewer"],
  ["POST", `${MLFLOW}/registered-models/create`, "editor"],
  ["GET", `${MLFLOW}/registered-models/get`, "viewer"],
  ["POST", `${MLFLOW}/registered-models/rename`, "editor"],
  ["PATCH", `${MLFLOW}/registered-models/update`, "editor"],
  ["DELETE", `${MLFLOW}/registered-models/delete`, "editor"],
  ["GET", `${MLFLOW}/registered-models/search`, "viewer"],
  ["POST", `${MLFLOW}/registered-models/get-latest-versions`, "viewer"],
  ["GET", `${MLFLOW}/registered-models/get-latest-versions`, "viewer"],
  ["POST", `${MLFLOW}/registered-models/set-tag`, "editor"],
  ["DELETE", `${MLFLOW}/registered-models/delete-tag`, "editor"],
  ["POST", `${MLFLOW}/registered-models/alias`, "editor"],
  ["DELETE", `${MLFLOW}/registered-models/alias`, "editor"],
  ["GET", `${MLFLOW}/registered-models/alias`, "viewer"],
  ["POST", `${MLFLOW}/model-versions/create`, "editor"],
  ["GET", `${MLFLOW}/model-versions/get`, "viewer"],
  ["PATCH", `${MLFLOW}/model-versions/update`, "editor"],
  ["DELETE", `${MLFLOW}/model-versions/delete`, "editor"],
  ["GET", `${MLFLOW}/model-versions/search`, "viewer"],
  ["POST", `${MLFLOW}/model-versions/transition-stage`, "editor"],
  ["GET", `${MLFLOW}/model-versions/get-download-uri`, "viewer"],
  ["POST", `${MLFLOW}/model-versions/set-tag`, "editor"],
  ["DELETE", `${MLFLOW}/model-versions/delete-tag`, "editor"],
  ["GET", "/api/2.0/mlflow-artifacts/artifacts", "viewer"],
  ["GET", "/api/2.0/mlflow-artifacts/artifacts/[...path]", "viewer"],
  ["PUT", "/api/2.0/mlflow-artifacts/artifacts/[...path]", "editor"],
  ["DELETE", "/api/2.0/mlflow-artifacts/artifacts/[...path]", "editor"],
  ["POST", "/api/2.0/mlflow-artifacts/mpu/create/[...path]", "editor"],
  ["POST", "/api/2.0/mlflow-artifacts/mpu/complete/[...path]", "editor"],
  ["POST", "/api/2.0/mlflow-artifacts/mpu/abort/[...path]", "editor"],
  // A part URL: the random upload id is the capability (like a presigned URL), no credentials.
  ["PUT", "/api/2.0/mlflow-artifacts/mpu/upload/[upload_id]/[part_number]", "public"],

  // Server actions (app/**/actions.ts, "use server")
  ["ACTION", "/#loadDemoAction", "admin"],
  ["ACTION", "/ab-tests#createAbTestAction", "editor"],
  ["ACTION", "/ab-tests#startAbTestAction", "editor"],
  ["ACTION", "/ab-tests#pauseAbTestAction", "editor"],
  ["ACTION", "/ab-tests#stopAbTestAction", "editor"],
  ["ACTION", "/ab-tests#promoteWinnerAction", "editor"],
  ["ACTION", "/drift#acknowledgeAlertAction", "editor"],
  ["ACTION", "/drift#runReportAction", "editor"],
  ["ACTION", "/drift#saveMonitorAction", "editor"],
  ["ACTION", "/experiments#archiveExperimentAction", "editor"],
  ["ACTION", "/experiments#restoreExperimentAction", "editor"],
  ["ACTION", "/experiments#countRunsAction", "viewer"],
  ["ACTION", "/jobs#cancelJobAction", "editor"],
  ["ACTION", "/jobs#runCleanupAction", "admin"],
  ["ACTION", "/pipelines#createPipelineAction", "editor"],
  ["ACTION", "/pipelines#runPipelineAction", "editor"],
  ["ACTION", "/pipelines#updatePipelineAction", "editor"],
  ["ACTION", "/pipelines#deletePipelineAction", "editor"],
  ["ACTION", "/settings#createUserAction", "admin"],
  ["ACTION", "/settings#setUserRoleAction", "admin"],
  ["ACTION", "/settings#setUserDisabledAction", "admin"],
  ["ACTION", "/settings#createApiKeyAction", "admin"],
  ["ACTION", "/settings#revokeApiKeyAction", "admin"],
  ["ACTION", "/settings#setPredictionRetentionAction", "admin"],
  ["ACTION", "/train#startTrainingAction", "editor"],
  ["ACTION", "/models/[name]#promoteAction", "editor"],
  ["ACTION", "/models/[name]#rollbackAction", "editor"],
];

/**
 * Routes that have a rule but cannot be called outside a Next request: next-auth's own sign-in
 * endpoints read next/headers inside the next-auth package. They are public by purpose; sign-in
 * itself is covered by tests/integration/auth.test.ts and the e2e tests.
 */
export const NOT_CALLED = new Set(["GET /api/auth/[...nextauth]", "POST /api/auth/[...nextauth]"]);

export const ruleKey = (method: string, route: string) => `${method} ${route}`;
