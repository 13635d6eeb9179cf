// Where the demo story lives on an instance that already has it: the dashboard paths of its pages,
// found through the REST API (for the screenshot script and the end-to-end test, which did not run
// the demo themselves and so do not have runDemo's links).
import { namesFor } from "./names";

/** A JSON request to the instance, authenticated by the caller (a session cookie or an API key). */
export type JsonRequest = (method: "GET" | "POST", path: string, body?: unknown) => Promise<unknown>;

export interface StoryPages {
  overview: string;
  datasets: string;
  dataset: string;
  experiments: string;
  experiment: string;
  compare: string | null;
  run: string | null;
  studies: string;
  study: string | null;
  models: string;
  model: string;
  abTests: string;
  abTest: string | null;
  drift: string;
  driftModel: string;
  driftReport: string | null;
  pipelines: string;
  pipeline: string | null;
  jobs: string;
}

export async function locateStory(request: JsonRequest, suffix?: string): Promise<StoryPages> {
  const get = (path: string) => request("GET", path);
  const names = namesFor(suffix);
  const enc = encodeURIComponent;
  const { experiments } = (await get("/api/v1/experiments?max_results=1000")) as { experiments: { id: string; name: string }[] };
  const experiment = experiments.find((e) => e.name === names.experiment);
  if (!experiment) throw new Error(`No experiment '${names.experiment}': run the demo first (npx mlops demo)`);
  const [studies, tests, reports, pipelines] = (await Promise.all([
    get("/api/v1/studies?limit=200"),
    get(`/api/v1/ab-tests?model=${enc(names.model)}`),
    get(`/api/v1/models/${enc(names.model)}/drift/reports?limit=50`),
    get("/api/v1/pipelines?limit=200"),
  ])) as [
    { studies: { id: string; name: string }[] },
    { ab_tests: { id: string; name: string }[] },
    { reports: { id: string; dataset_drift: boolean }[] },
    { pipelines: { id: string; name: string }[] },
  ];
  const study = studies.studies.find((s) => s.name.startsWith(`${names.search}-gbdt-`));
  const test = tests.ab_tests.find((t) => t.name === names.abTest) ?? tests.ab_tests[0];
  const report = reports.reports.find((r) => r.dataset_drift) ?? reports.reports[0];
  const pipeline = pipelines.pipelines.find((p) => p.name === names.pipeline);
  // The runs the story compares: one of each family, the deep boosted trees (the challenger) opened.
  const { runs } = (await request("POST", "/api/v1/runs/search", { experimentIds: [experiment.id], maxResults: 200 })) as { runs: { id: string; name: string }[] };
  const byName = (n: string) => runs.find((r) => r.name === n)?.id;
  const compared = ["linear-baseline", "mlp-wide", "gbdt-deep"].map(byName).filter((id): id is string => !!id);
  return {
    overview: "/",
    datasets: "/datasets",
    dataset: `/datasets/${enc(names.dataset)}`,
    experiments: "/experiments",
    experiment: `/experiments/${experiment.id}`,
    compare: compared.length > 1 ? `/experiments/${experiment.id}/compare?runs=${compared.join(",")}` : null,
    run: byName("gbdt-deep") ? `/runs/${byName("gbdt-deep")}` : null,
    studies: "/studies",
    study: study ? `/studies/${study.id}` : null,
    models: "/models",
    model: `/models/${enc(names.model)}`,
    abTests: "/ab-tests",
    abTest: test ? `/ab-tests/${test.id}` : null,
    drift: "/drift",
    driftModel: `/drift/${enc(names.model)}`,
    driftReport: report ? `/drift/${enc(names.model)}/reports/${report.id}` : null,
    pipelines: "/pipelines",
    pipeline: pipeline ? `/pipelines/${pipeline.id}` : null,
    jobs: "/jobs",
  };
}
