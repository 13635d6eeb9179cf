// Registration policy: a new version becomes `champion` when the model has none, `challenger` when it
// beats the champion's test metric by the margin, and gets no alias otherwise. Promoting a challenger
// stays a person's decision (or an A/B test's).
import type { Actor } from "../auth";
import { AppError } from "../errors";
import { HIGHER_IS_BETTER, type MetricName, type Task } from "../ml";
import {
  CHALLENGER,
  CHAMPION,
  createModelVersion,
  createRegisteredModel,
  getModelVersionByAlias,
  getRegisteredModel,
  promote,
  searchModelVersions,
  setModelAlias,
  type ModelVersion,
} from "../registry";
import { getRun } from "../tracking";

export interface RegisterRequest {
  name: string;
  alias?: string;
  metric?: MetricName;
  margin: number;
}

export interface Registration {
  name: string;
  version: number;
  /** The alias the new version got, or null when it did not beat the champion. */
  alias: string | null;
  metric: MetricName;
  /** The champion's value of the metric when there was one to compare with. */
  championVersion: number | null;
  championValue: number | null;
  value: number | null;
  reason: string;
}

export const testMetricKey = (m: string) => `test_${m}`;

export function defaultMetric(task: Task): MetricName {
  return task === "classification" ? "accuracy" : "r2";
}

async function ensureModel(actor: Actor | null, name: string): Promise<void> {
  try {
    await getRegisteredModel(name);
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== "not_found") throw err;
    try {
      await createRegisteredModel(actor, { name });
    } catch (e) {
      // Another registration created it meanwhile: fine.
      if (!(e instanceof AppError) || e.code !== "conflict") throw e;
    }
  }
}

async function champion(name: string): Promise<ModelVersion | null> {
  try {
    return await getModelVersionByAlias(name, CHAMPION);
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") return null;
    throw err;
  }
}

/** The version of model `name` registered from run `runId`, if any (run ids are hexadecimal). */
export async function versionOfRun(name: string, runId: string): Promise<ModelVersion | null> {
  const quoted = name.replace(/'/g, "''");
  const page = await searchModelVersions({ filter: `name = '${quoted}' and run_id = '${runId}'`, maxResults: 1 });
  return page.items[0] ?? null;
}

/**
 * The version of model `name` from run `runId`, created (with the model) when there is none yet.
 * Idempotent per run: a retried job (its worker died after registering) gets the version the run
 * already has, so one run never becomes two versions.
 */
export async function versionFromRun(
  actor: Actor | null,
  name: string,
  input: { runId: string; source: string; signature: unknown; tags: Record<string, string> },
): Promise<ModelVersion> {
  await ensureModel(actor, name);
  return (await versionOfRun(name, input.runId)) ?? (await createModelVersion(actor, name, { source: input.source, runId: input.runId, signature: input.signature, tags: input.tags }));
}

export async function registerVersion(
  actor: Actor | null,
  req: RegisterRequest,
  input: { runId: string; source: string; signature: unknown; task: Task; family: string; testMetrics: Record<string, number> },
): Promise<Registration> {
  const metric = req.metric ?? defaultMetric(input.task);
  const value = input.testMetrics[metric] ?? null;
  const current = await champion(req.name);
  const mv = await versionFromRun(actor, req.name, { ...input, tags: { family: input.family, task: input.task } });
  const base = { name: req.name, version: mv.version, metric, value, championVersion: current?.version ?? null, championValue: null as number | null };

  if (req.alias) {
    // promote() records the move in the promotion history; other aliases are plain pointers.
    if (req.alias === CHAMPION) await promote(actor, req.name, mv.version, { alias: CHAMPION, reason: "set at registration (--alias)" });
    else await setModelAlias(actor, req.name, req.alias, mv.version);
    return { ...base, alias: req.alias, reason: `alias '${req.alias}' was asked for` };
  }
  if (current?.version === mv.version) return { ...base, alias: CHAMPION, reason: "this version is already the champion" };
  if (!current) {
    await promote(actor, req.name, mv.version, { alias: CHAMPION, reason: "first version with a champion alias" });
    return { ...base, alias: CHAMPION, reason: "the model had no champion" };
  }
  const champValue = current.runId ? ((await getRun(current.runId)).metrics[testMetricKey(metric)]?.value ?? null) : null;
  if (value === null || champValue === null || !Number.isFinite(value) || !Number.isFinite(champValue)) {
    return { ...base, championValue: champValue, alias: null, reason: `no ${metric} to compare with champion version ${current.version}` };
  }
  const gain = HIGHER_IS_BETTER[metric] ? value - champValue : champValue - value;
  if (gain > req.margin) {
    await setModelAlias(actor, req.name, CHALLENGER, mv.version);
    return { ...base, championValue: champValue, alias: CHALLENGER, reason: `${metric} ${value} beats champion ${champValue} by more than ${req.margin}` };
  }
  return { ...base, championValue: champValue, alias: null, reason: `${metric} ${value} does not beat champion ${champValue} by more than ${req.margin}` };
}
