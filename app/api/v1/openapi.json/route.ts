import { abtestApi } from "@/lib/abtest";
import { datasetsApi } from "@/lib/datasets";
import { hpoApi } from "@/lib/hpo";
import { openApiDocument } from "@/lib/http";
import { monitoringApi } from "@/lib/monitoring";
import { pipelinesApi } from "@/lib/pipelines";
import { registryApi } from "@/lib/registry";
import { servingApi } from "@/lib/serving";
import { trackingApi } from "@/lib/tracking";
import { trainingApi } from "@/lib/training";

export const dynamic = "force-static";

/** OpenAPI 3.1, generated from the Zod schemas the handlers validate with. Public: it holds no data. */
export function GET(): Response {
  const doc = openApiDocument(
    { title: "MLOps platform API", version: "1", description: "Tracking, registry, datasets, training, pipelines, HPO, serving, A/B tests and monitoring. MLflow's REST API is served under /api/2.0/mlflow (see docs/tracking.md)." },
    [...trackingApi, ...registryApi, ...datasetsApi, ...trainingApi, ...pipelinesApi, ...monitoringApi, ...abtestApi, ...hpoApi, ...servingApi],
  );
  return Response.json(doc);
}
