// One prediction request, whatever the wire protocol: pick the version (explicit version, alias, the
// running A/B test's arm, or the champion), check and encode the rows, score, log every row.
import { assignArmNow, type ArmAssignment } from "../abtest";
import { timeOrderedId } from "../db";
import { AppError } from "../errors";
import type { RowProblem } from "./encode";
import { predictionLog, type LogRow } from "./log";
import { aliasTarget, CHAMPION, modelRef, versionTarget } from "./resolve";
import { metersFor, score, servedVersion, type Scored, type ServedModel } from "./served";

export interface PredictInput {
  model: string;
  instances: readonly unknown[];
  unitId?: string;
  alias?: string;
  version?: number;
  /** process.hrtime.bigint() when the request arrived, for the logged latency. */
  started: bigint;
}

export interface PredictOutcome {
  served: ServedModel;
  scored: Scored;
  ids: string[];
  /** The A/B arm that decided the version, or null. */
  arm: string | null;
  /** Scores the shadow version, if any; call after the response is sent (its result is only logged). */
  shadow: (() => void) | null;
}

/** 422: the rows do not fit the version's schema; `details` lists each problem by row and field. */
export function schemaError(served: ServedModel, problems: RowProblem[]): AppError {
  const shown = problems.slice(0, 5).map((p) => `row ${p.row}${p.field === null ? "" : ` '${p.field}'`}: ${p.message}`);
  const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : "";
  return new AppError(
    "invalid",
    `The instances do not match the schema of model '${served.modelName}' version ${served.version}: ${shown.join("; ")}${more}`,
    problems,
    422,
  );
}

/** 422 for a body of the wrong shape (no instances, not an array…). */
export function shapeError(message: string, details?: unknown): AppError {
  return new AppError("invalid", message, details, 422);
}

const MAX_ROWS = 10_000;

type Target = ServedModel | [ServedModel, ArmAssignment | null];

function target(input: PredictInput): Target | Promise<Target> {
  const ref = modelRef(input.model);
  if (ref instanceof Promise) return ref.then((r) => pick(r, input));
  return pick(ref, input);
}

function pick(ref: { id: string; name: string }, input: PredictInput): Target | Promise<Target> {
  if (input.version !== undefined) return versionTarget(ref, input.version);
  if (input.alias !== undefined) return aliasTarget(ref, input.alias);
  // No explicit choice: a running A/B test decides, else the champion.
  const a = assignArmNow(ref.id, input.unitId);
  return a instanceof Promise ? a.then((x) => armTarget(ref, x)) : armTarget(ref, a);
}

function armTarget(ref: { id: string; name: string }, a: ArmAssignment | null): Target | Promise<Target> {
  const s = a ? servedVersion(a.versionId) : aliasTarget(ref, CHAMPION);
  return s instanceof Promise ? s.then((m): Target => [m, a]) : [s, a];
}

function logRows(served: ServedModel, input: PredictInput, scored: Scored, ids: string[] | null, arm: string | null, testId: string | null, latencyMs: number, now = Date.now()) {
  const log = predictionLog();
  const names = served.encoder.features;
  const unit = input.unitId ?? null;
  for (let i = 0; i < input.instances.length; i++) {
    let inst = input.instances[i];
    if (Array.isArray(inst)) {
      // Logged keyed by feature, like object rows, so readers (drift, analysis) see one shape.
      const o: Record<string, unknown> = {};
      for (let j = 0; j < names.length; j++) o[names[j]!.name] = inst[j] ?? null;
      inst = o;
    }
    const row: LogRow = [
      ids ? ids[i]! : timeOrderedId(now),
      served.modelId,
      served.versionId,
      arm,
      testId,
      unit,
      inst,
      // The prediction alone, as JSON text: feedback labels are compared with it.
      JSON.stringify(scored.predictions[i]),
      latencyMs,
      now,
    ];
    log.add(row);
  }
}

export async function predict(input: PredictInput): Promise<PredictOutcome> {
  return predictNow(input);
}

/**
 * predict(), synchronous when the model, its alias or A/B test and the version are cached (the
 * steady state): no promise, no microtask on the hot path. Throws (or rejects) like predict().
 */
export function predictNow(input: PredictInput): PredictOutcome | Promise<PredictOutcome> {
  const n = input.instances.length;
  if (n === 0) throw shapeError("'instances' is empty: send at least one row");
  if (n > MAX_ROWS) throw shapeError(`'instances' has ${n} rows; at most ${MAX_ROWS} per request (use batch scoring for more)`);
  const t = target(input);
  return t instanceof Promise ? t.then((r) => scoreAndLog(input, r)) : scoreAndLog(input, t);
}

function scoreAndLog(input: PredictInput, resolved: Target): PredictOutcome {
  const n = input.instances.length;
  let served: ServedModel;
  let assignment: ArmAssignment | null = null;
  if (Array.isArray(resolved)) [served, assignment] = resolved;
  else served = resolved;

  const problems: RowProblem[] = [];
  const X = served.encoder.encode(input.instances, problems);
  if (problems.length) throw schemaError(served, problems);
  const scored = score(served, X, n);
  const now = Date.now();
  const ids = new Array<string>(n);
  for (let i = 0; i < n; i++) ids[i] = timeOrderedId(now);
  const arm = assignment?.arm ?? null;
  const testId = assignment?.testId ?? null;
  const latencyMs = Number(process.hrtime.bigint() - input.started) / 1e6;
  logRows(served, input, scored, ids, arm, testId, latencyMs, now);
  const meters = metersFor(served, arm ?? "");
  meters.latency.observe(latencyMs / 1000);
  meters.rows.inc(n);

  let shadow: (() => void) | null = null;
  const sv = assignment?.shadow;
  if (sv && testId) {
    shadow = () => {
      void runShadow(sv.versionId, input, testId);
    };
  }
  return { served, scored, ids, arm, shadow };
}

/** Scores the shadow version on the same rows and logs it as arm "shadow"; never fails the request. */
async function runShadow(versionId: string, input: PredictInput, testId: string): Promise<void> {
  try {
    const s = servedVersion(versionId);
    const served = s instanceof Promise ? await s : s;
    const t0 = process.hrtime.bigint();
    const problems: RowProblem[] = [];
    const X = served.encoder.encode(input.instances, problems, 1);
    // A shadow with another schema cannot score these rows: nothing to compare, nothing logged.
    if (problems.length) return;
    const scored = score(served, X, input.instances.length);
    const latencyMs = Number(process.hrtime.bigint() - t0) / 1e6;
    logRows(served, input, scored, null, "shadow", testId, latencyMs);
    const meters = metersFor(served, "shadow");
    meters.latency.observe(latencyMs / 1000);
    meters.rows.inc(input.instances.length);
  } catch {
    // A shadow that fails to load must not affect live traffic.
  }
}
