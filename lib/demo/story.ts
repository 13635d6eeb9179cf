// The demo story, told to a running instance through its REST API and job queue (never by writing
// rows), so that every page a newcomer opens afterwards shows real data made the real way:
//   datasets → an experiment with runs of every family → a tuning study → a model with champion
//   and challenger → an A/B test with traffic and feedback (the challenger truly better) → a drift
//   episode (shifted inputs, a drift alert, a retraining through a pipeline).
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ApiClient, baseUrlSchema, mapLimit, type JobView } from "./client";
import { namesFor, SUFFIX_PATTERN } from "./names";
import { CHURN_TARGET, churnCsv, churnInstance, generateChurn, type ChurnRow } from "./churn";

export interface DemoProgress {
  /** 0–1 over the whole story. */
  fraction: number;
  /** The chapter: datasets, experiment, study, model, ab-test, drift. */
  step: string;
  message: string;
}

export interface DemoOptions {
  baseUrl: string;
  /** An editor or admin API key of the instance. */
  apiKey: string;
  onProgress?: (p: DemoProgress) => void;
  /** Appended to every name (`churn-<suffix>`) to build a second copy next to the first. */
  suffix?: string;
  /** Folder of the shared public data sets; `../shared/datasets` from the working directory by default. Missing files are skipped. */
  datasetsDir?: string;
  /** Smaller traffic and fewer trials (tests). */
  scale?: number;
  signal?: AbortSignal;
}

export interface DemoResult {
  /** True when the demo model already existed: nothing was changed. */
  alreadyLoaded: boolean;
  names: { dataset: string; experiment: string; model: string; pipeline: string };
  /** Dashboard paths of the story's pages. */
  links: Record<string, string>;
  runs: number;
  studyId: string | null;
  abTest: { id: string; winner: string | null; predictions: number; feedback: number } | null;
  drift: { reportId: string; datasetDrift: boolean; shareDrifted: number; retrainJobId: string | null; retrainVersion: number | null } | null;
  notes: string[];
  durationMs: number;
}

export const DEMO_SEED = 7;
const SHARED_SETS = [
  { file: "iris.csv", name: "iris", target: "target", description: "Fisher's iris flowers (150 rows, 3 species)" },
  { file: "wine.csv", name: "wine", target: "target", description: "UCI wine recognition (178 rows, 3 cultivars)" },
  { file: "diabetes.csv", name: "diabetes", target: "target", description: "Diabetes progression after one year (442 rows, regression)" },
];

/** Chapters and their share of the progress bar (roughly their share of the time). */
const CHAPTERS = [
  ["datasets", 0.08],
  ["experiment", 0.27],
  ["study", 0.2],
  ["ab-test", 0.2],
  ["drift", 0.25],
] as const;
type Chapter = (typeof CHAPTERS)[number][0];

interface TrainResult {
  run_id: string;
  experiment_id: string;
  family: string;
  test_metrics: Record<string, number>;
  model_version: { name: string; version: number; alias: string | null } | null;
  study?: { study_id: string; parent_run_id: string };
}

interface PredictResponse {
  predictions: string[];
  prediction_ids: string[];
  arm?: string;
}


export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const started = Date.now();
  const baseUrl = baseUrlSchema.parse(opts.baseUrl);
  if (opts.suffix !== undefined && !SUFFIX_PATTERN.test(opts.suffix)) {
    throw new Error("The suffix is 1–31 lowercase letters, digits or '-', starting with a letter or digit");
  }
  const api = new ApiClient(baseUrl, opts.apiKey, opts.signal);
  const scale = Math.min(1, Math.max(0.1, opts.scale ?? 1));
  const names = namesFor(opts.suffix);
  const enc = encodeURIComponent;
  const notes: string[] = [];
  const result: DemoResult = {
    alreadyLoaded: false,
    names: { dataset: names.dataset, experiment: names.experiment, model: names.model, pipeline: names.pipeline },
    links: {},
    runs: 0,
    studyId: null,
    abTest: null,
    drift: null,
    notes,
    durationMs: 0,
  };

  // Progress: each chapter owns a slice of the bar; `say(chapter, inner, message)` moves within it.
  const say = (chapter: Chapter, inner: number, message: string) => {
    let start = 0;
    for (const [name, weight] of CHAPTERS) {
      if (name === chapter) {
        opts.onProgress?.({ fraction: Math.min(1, start + weight * Math.min(1, Math.max(0, inner))), step: chapter, message });
        return;
      }
      start += weight;
    }
  };
  const jobTicker = (chapter: Chapter, from: number, to: number, label: string) => (job: JobView) =>
    say(chapter, from + (to - from) * job.progress, `${label}${job.progressMessage ? `: ${job.progressMessage}` : ""}`);

  // 0. The instance answers, the key is valid, and the story is not there yet.
  say("datasets", 0, `Connecting to ${baseUrl}`);
  await api.get("/api/v1/me");
  if (await api.get(`/api/v1/models/${enc(names.model)}`, { allow404: true })) {
    result.alreadyLoaded = true;
    notes.push(`The demo model '${names.model}' already exists: nothing was changed. Pass a suffix (mlops demo --suffix 2) to build another copy.`);
    result.links = linksFor(names, null);
    result.durationMs = Date.now() - started;
    say("drift", 1, "Demo data is already loaded");
    return result;
  }

  // 1. Datasets: the synthetic churn set (profiled and validated on upload) and the shared public sets.
  const churn = generateChurn({ rows: Math.round(4000 * scale), seed: DEMO_SEED });
  say("datasets", 0.1, `Uploading ${names.dataset} (${churn.length} customers)`);
  await api.post(
    `/api/v1/datasets?name=${enc(names.dataset)}&target=${CHURN_TARGET}&description=${enc("Synthetic customer churn (seeded): who leaves a telecom plan, and why")}`,
    churnCsv(churn),
  );
  const dir = opts.datasetsDir ?? resolve(process.cwd(), "../shared/datasets");
  const shared: string[] = [];
  for (const [i, set] of SHARED_SETS.entries()) {
    const path = join(dir, set.file);
    if (!existsSync(path)) {
      notes.push(`${path} not found: the public data set '${set.name}' was skipped.`);
      continue;
    }
    say("datasets", 0.3 + 0.7 * (i / SHARED_SETS.length), `Uploading ${set.name}`);
    await api.post(`/api/v1/datasets?name=${enc(set.name)}&target=${set.target}&description=${enc(set.description)}`, readFileSync(path, "utf8"));
    shared.push(set.name);
  }

  // 2. The experiment: two runs of each family on churn (the first linear run becomes the champion,
  //    the better boosted trees the challenger), one run on each public set in its own experiment.
  const train = (spec: Record<string, unknown>) => api.post<{ job_id: string }>("/api/v1/training-runs", { target: CHURN_TARGET, seed: DEMO_SEED, ...spec });
  const epochs = Math.max(5, Math.round(25 * scale)); // enough to show the curves; the trees carry the story
  const churnRuns: { runName: string; family: string; params: Record<string, unknown>; register?: Record<string, unknown> }[] = [
    { runName: "linear-baseline", family: "linear", params: { epochs, learning_rate: 0.05 }, register: { name: names.model, alias: "champion" } },
    { runName: "linear-strong-l2", family: "linear", params: { epochs, learning_rate: 0.1, l2: 0.05 } },
    { runName: "mlp-small", family: "mlp", params: { epochs, hidden_layers: [16], learning_rate: 0.01 } },
    { runName: "mlp-wide", family: "mlp", params: { epochs, hidden_layers: [64, 32], learning_rate: 0.005, dropout: 0.1 } },
    { runName: "gbdt-shallow", family: "gbdt", params: { n_estimators: 60, max_leaves: 7, learning_rate: 0.1 } },
    { runName: "gbdt-deep", family: "gbdt", params: { n_estimators: 150, max_leaves: 31, learning_rate: 0.05 }, register: { name: names.model, alias: "challenger" } },
  ];
  const jobs: { label: string; id: string }[] = [];
  for (const r of churnRuns) {
    const { job_id } = await train({ dataset: { name: names.dataset }, experiment: names.experiment, runName: r.runName, family: r.family, params: r.params, ...(r.register ? { register: r.register } : {}) });
    jobs.push({ label: r.runName, id: job_id });
  }
  for (const name of shared) {
    const { job_id } = await api.post<{ job_id: string }>("/api/v1/training-runs", {
      dataset: { name },
      target: "target",
      family: "gbdt",
      params: { n_estimators: 50 },
      experiment: `${name}${opts.suffix ? `-${opts.suffix}` : ""}`,
      runName: `${name}-gbdt`,
      seed: DEMO_SEED,
    });
    jobs.push({ label: `${name}-gbdt`, id: job_id });
  }
  // The search is queued now too, so a second worker (when there is one) starts it while runs train.
  const trials = Math.max(4, Math.round(12 * scale));
  const search = await train({
    dataset: { name: names.dataset },
    experiment: names.experiment,
    runName: names.search,
    family: "gbdt",
    params: { n_estimators: 120 },
    hpo: { trials, seed: DEMO_SEED },
  });
  let experimentId: string | null = null;
  for (const [i, j] of jobs.entries()) {
    const job = await api.waitJob(j.id, jobTicker("experiment", i / jobs.length, (i + 1) / jobs.length, `Training ${j.label} (${i + 1}/${jobs.length})`));
    const r = job.result as TrainResult;
    if (j.label.startsWith("gbdt-deep") || j.label.startsWith("linear-baseline")) experimentId = r.experiment_id;
    result.runs++;
  }

  // 3. The study: TPE over the boosted trees' hyperparameters, each trial a child run, then a refit.
  await api.waitJob(search.job_id, jobTicker("study", 0, 1, `Tuning gbdt (${trials} trials)`));
  // The job's result is the refit run's; the study is found by the name the search gives it.
  const { studies } = await api.get<{ studies: { id: string; name: string; created_at: string }[] }>("/api/v1/studies?limit=50");
  const study = studies
    .filter((st) => st.name.startsWith(`${names.search}-gbdt-`) && Date.parse(st.created_at) >= started - 1000)
    .sort((a, b) => b.created_at.localeCompare(a.created_at))[0];
  result.studyId = study?.id ?? null;
  result.runs += trials + 2; // trials, the parent run and the refit

  // 4. The A/B test: champion (linear) against challenger (gbdt), 50/50, sticky per customer.
  say("ab-test", 0, "Starting the A/B test: champion against challenger");
  const test = await api.post<{ id: string }>("/api/v1/ab-tests", {
    name: names.abTest,
    model: names.model,
    arms: [
      { name: "champion", alias: "champion", weight: 50 },
      { name: "challenger", alias: "challenger", weight: 50 },
    ],
    metric: { kind: "accuracy" },
    min_samples: Math.round(500 * scale),
  });
  await api.post(`/api/v1/ab-tests/${test.id}/start`);
  const traffic = generateChurn({ rows: Math.round(3000 * scale), seed: DEMO_SEED + 1 });
  const perRequest = 10;
  const batches = chunk(traffic, perRequest);
  let sent = 0;
  const answered = await mapLimit(batches, 8, async (rows, i) => {
    const res = await api.post<PredictResponse>(`/api/v1/models/${enc(names.model)}/predict`, { instances: rows.map(churnInstance), unit_id: `customer-${i}` });
    sent += rows.length;
    if (i % 20 === 0) say("ab-test", 0.1 + 0.4 * (sent / traffic.length), `Simulated traffic: ${sent} of ${traffic.length} predictions`);
    return res;
  });
  // Feedback: whether each customer really left — the truth the better arm gets right more often.
  // As in real life only some outcomes come back (two in three here), which also keeps the demo quick.
  const feedback = answered.flatMap((res, i) => res.prediction_ids.map((id, k) => ({ id, truth: batches[i]![k]!.churn }))).filter((_, i) => i % 3 !== 2);
  let fed = 0;
  await mapLimit(feedback, 24, async (f) => {
    await api.post("/api/v1/predictions/feedback", { prediction_id: f.id, value: f.truth });
    if (++fed % 200 === 0) say("ab-test", 0.5 + 0.45 * (fed / feedback.length), `Feedback: ${fed} of ${feedback.length} outcomes`);
  });
  const analysis = await api.get<{ winner: string | null; verdict: string }>(`/api/v1/ab-tests/${test.id}/analysis`);
  const stopped = await api.post<{ winner_arm: string | null }>(`/api/v1/ab-tests/${test.id}/stop`);
  if (!stopped.winner_arm) notes.push(`The A/B test ended without a winner: ${analysis.verdict}`);
  result.abTest = { id: test.id, winner: stopped.winner_arm, predictions: traffic.length, feedback: feedback.length };
  say("ab-test", 1, `A/B test stopped: ${analysis.verdict}`);

  // 5. Drift: a retraining pipeline, a monitor that runs it after a drifted report, a normal report,
  //    then the market shifts (shorter tenures, higher charges) and the next report raises the alarm.
  say("drift", 0, "Setting up the monitor and the retraining pipeline");
  await api.post("/api/v1/pipelines", {
    name: names.pipeline,
    definition: {
      dataset: { name: names.dataset, version: "latest" },
      target: CHURN_TARGET,
      family: "gbdt",
      params: { n_estimators: 150, max_leaves: 31, learning_rate: 0.05 },
      seed: DEMO_SEED,
      experiment: names.experiment,
      gate: { metric: "roc_auc", min: 0.8 },
      register: { name: names.model, metric: "accuracy" },
      promote: "challenger",
    },
    enabled: true,
  });
  const window = Math.round(1000 * scale);
  await api.put(`/api/v1/models/${enc(names.model)}/drift/monitor`, {
    schedule: null,
    config: { window: { last: window }, version: "champion", dataset_drift_share: 0.3, performance: { max_drop: 0.05, min_labels: 30 } },
    retrain_policy: { enabled: true, consecutive: 1, on: "dataset_drift", pipeline: names.pipeline },
  });
  const report = async (from: number, to: number, label: string) => {
    const { job } = await api.post<{ job: { id: string } }>(`/api/v1/models/${enc(names.model)}/drift/reports`, { window: { last: window } });
    const done = await api.waitJob(job.id, jobTicker("drift", from, to, label));
    return done.result as { report_id: string; dataset_drift: boolean; share_drifted: number };
  };
  const calm = await report(0.05, 0.2, "Drift report on normal traffic");
  if (calm.dataset_drift) notes.push("The report on normal traffic already flagged drift (a chance result on a small window).");

  const shiftedRows = generateChurn({ rows: window, seed: DEMO_SEED + 2, shifted: true });
  const shiftedBatches = chunk(shiftedRows, 50);
  const shiftedAnswers = await mapLimit(shiftedBatches, 4, (rows) =>
    api.post<PredictResponse>(`/api/v1/models/${enc(names.model)}/predict?alias=champion`, { instances: rows.map(churnInstance) }),
  );
  say("drift", 0.3, `Shifted traffic: ${shiftedRows.length} predictions from a changed market`);
  // A few hundred outcomes are enough for the performance verdict (accuracy against training's).
  const shiftedFeedback = shiftedAnswers.flatMap((res, i) => res.prediction_ids.map((id, k) => ({ id, truth: shiftedBatches[i]![k]!.churn }))).filter((_, i) => i % 3 === 0);
  await mapLimit(shiftedFeedback, 24, (f) => api.post("/api/v1/predictions/feedback", { prediction_id: f.id, value: f.truth }));
  say("drift", 0.4, "Feedback on the shifted traffic");

  const drifted = await report(0.4, 0.55, "Drift report on the shifted traffic");
  result.drift = { reportId: drifted.report_id, datasetDrift: drifted.dataset_drift, shareDrifted: drifted.share_drifted, retrainJobId: null, retrainVersion: null };
  if (!drifted.dataset_drift) notes.push(`The shifted traffic did not reach the drift threshold (share ${drifted.share_drifted}); no retraining was started.`);
  else {
    const { retrainings } = await api.get<{ retrainings: { details: { job_id?: string } }[] }>(`/api/v1/models/${enc(names.model)}/drift/retrainings`);
    const jobId = retrainings[0]?.details.job_id ?? null;
    result.drift.retrainJobId = jobId;
    if (jobId) {
      const job = await api.waitJob(jobId, jobTicker("drift", 0.6, 1, "Retraining through the pipeline"));
      const r = job.result as { model_version?: { version: number } | null };
      result.drift.retrainVersion = r.model_version?.version ?? null;
      result.runs++;
    } else notes.push("Drift was flagged but no retraining was found.");
  }

  result.links = linksFor(names, { experimentId, studyId: result.studyId, abTestId: test.id, reportId: drifted.report_id });
  result.durationMs = Date.now() - started;
  say("drift", 1, "Demo story complete");
  return result;
}

function linksFor(
  names: ReturnType<typeof namesFor>,
  ids: { experimentId: string | null; studyId: string | null; abTestId: string; reportId: string } | null,
): Record<string, string> {
  const enc = encodeURIComponent;
  const links: Record<string, string> = {
    dataset: `/datasets/${enc(names.dataset)}`,
    model: `/models/${enc(names.model)}`,
    drift: `/drift/${enc(names.model)}`,
    pipelines: "/pipelines",
  };
  if (ids?.experimentId) links.experiment = `/experiments/${ids.experimentId}`;
  if (ids?.studyId) links.study = `/studies/${ids.studyId}`;
  if (ids) links.abTest = `/ab-tests/${ids.abTestId}`;
  if (ids) links.driftReport = `/drift/${enc(names.model)}/reports/${ids.reportId}`;
  return links;
}

function chunk<T>(rows: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

export type { ChurnRow };
