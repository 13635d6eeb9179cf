// MLflow REST API compatibility: the stock Python client (MLFLOW_TRACKING_URI, MLFLOW_TRACKING_TOKEN)
// talks to /api/2.0/mlflow/* and /api/2.0/mlflow-artifacts/*; each endpoint calls lib/tracking,
// lib/registry or the ArtifactStore.
import { artifactRoutes } from "./artifacts";
import { loggedModelRoutes } from "./logged-models";
import { mlflowDispatcher } from "./protocol";
import { registryRoutes } from "./registry";
import { trackingRoutes } from "./tracking";

export { mlflowErrorResponse, type MlflowRoute } from "./protocol";
export { artifactRoutes as mlflowArtifactRoutes } from "./artifacts";
export { compact, experimentWire, loggedModelWire, modelVersionWire, registeredModelWire, runWire } from "./wire";
export { sweepStaleMultipartUploads, UNSUPPORTED_MULTIPART, type MultipartSweep } from "./multipart";

export const mlflowRoutes = [...trackingRoutes, ...loggedModelRoutes, ...registryRoutes];

/** Handles /api/2.0/mlflow/<path>. */
export const handleMlflowRequest = mlflowDispatcher(mlflowRoutes, "/api/2.0/mlflow");

/** Handles /api/2.0/mlflow-artifacts/<path>. */
export const handleMlflowArtifactsRequest = mlflowDispatcher(artifactRoutes, "/api/2.0/mlflow-artifacts");
