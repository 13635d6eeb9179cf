import Link from "next/link";
import { Code } from "@/components/ui/code";

function Snippet({ label, children }: { label: string; children: string }) {
  return (
    <figure className="text-left">
      <figcaption className="mb-1 text-xs font-medium text-zinc-600 dark:text-zinc-300">{label}</figcaption>
      <pre className="overflow-x-auto rounded-md bg-zinc-100 p-3 font-mono text-xs text-zinc-800 dark:bg-zinc-950 dark:text-zinc-200">
        {children}
      </pre>
    </figure>
  );
}

/** How to log runs: the stock MLflow client or the REST API, both with an API key. */
export function LoggingGuide({ origin }: { origin: string }) {
  return (
    <div className="space-y-4 text-left">
      <p>
        Create an API key in <Link href="/settings/api-keys" className="link">Settings → API keys</Link> (editor role),
        then log from Python with the MLflow client, or call the REST API from anything.
      </p>
      <Snippet label="MLflow client">
        {`export MLFLOW_TRACKING_URI=${origin}
export MLFLOW_TRACKING_TOKEN=<API key>

import mlflow
mlflow.set_experiment("churn")
with mlflow.start_run():
    mlflow.log_param("lr", 0.01)
    mlflow.log_metric("accuracy", 0.93, step=1)`}
      </Snippet>
      <Snippet label="REST API">
        {`curl -X POST ${origin}/api/v1/runs -H "Authorization: Bearer $KEY" \\
  -H "content-type: application/json" -d '{"experimentId": "0"}'
curl -X POST ${origin}/api/v1/runs/<run id>/log-batch -H "Authorization: Bearer $KEY" \\
  -H "content-type: application/json" \\
  -d '{"params": [{"key": "lr", "value": "0.01"}], "metrics": [{"key": "accuracy", "value": 0.93, "step": 1}]}'`}
      </Snippet>
      <p>
        The full API is described at <Code>{`${origin}/api/v1/openapi.json`}</Code>.
      </p>
    </div>
  );
}
