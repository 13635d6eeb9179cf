// MLflow REST API compatibility: the stock Python client (MLFLOW_TRACKING_URI, MLFLOW_TRACKING_TOKEN)
// talks to /api/2.0/mlflow/* and /api/2.0/mlflow-artifacts/*; each endpoint calls lib/tracking,
// lib/registry or the ArtifactStore.
import { artifactRoutes } from "./artifacts";
import { mlflowDispatcher } from "./protocol";
import { registryRoutes } from "./registry";
import { trackingRoutes } from "./tracking";

export { mlflowErrorResponse, type MlflowRoute } from "./protocol";
export { compact, experimentWire, modelVersionWire, registeredModelWire, runWire } from "./wire";

export const mlflowRoutes = [...trackingRoutes, ...registryRoutes];

/** Handles /api/2.0/mlflow/<path>. */
export const handleMlflowRequest = mlflowDispatcher(mlflowRoutes, "/api/2.0/mlflow");

/** Handles /api/2.0/mlflow-artifacts/<path>. */
export const handleMlflowArtifactsRequest = mlflowDispatcher(artifactRoutes, "/api/2.0/mlflow-artifacts");
