// A study: one objective optimised over many trials. The study object holds no trial state of its own:
// everything goes through the storage, so several processes can later work on the same study.
import { randomUUID } from "node:crypto";
import { invalid } from "@/lib/errors";
import type { ParamValue, SearchSpace } from "./distributions";
import { MedianPruner } from "./pruners/median";
import type { Pruner } from "./pruners/types";
import { TPESampler } from "./samplers/tpe";
import type { Sampler } from "./samplers/types";
import type { HpoStorage, StudyRecord } from "./storage";
import { InMemoryStorage } from "./storage";
import { Trial, TrialPruned } from "./trial";
import type { Direction, FrozenTrial, StudyView } from "./types";
import { SYSTEM_ATTRS, bestTrialOf, lastStep } from "./types";

export type Objective = (trial: Trial) => number | Promise<number>;

export interface CreateStudyOptions {
  direction?: Direction;
  /** Default: TPESampler with our defaults and a random seed. */
  sampler?: Sampler;
  /** Default: MedianPruner (as Optuna). */
  pruner?: Pruner;
  /** Default: a fresh InMemoryStorage. */
  storage?: HpoStorage;
  studyName?: string;
  /** Open the study of that name if it exists instead of failing. */
  loadIfExists?: boolean;
}

export interface OptimizeOptions {
  /** Trials this call runs (at most). */
  nTrials?: number;
  /** No new trial starts after this many milliseconds; running ones finish. */
  timeoutMs?: number;
  /** Trials run at once in this process (default 1). */
  concurrency?: number;
  /** Stops starting new trials when aborted. */
  signal?: AbortSignal;
  /** Called after each trial is stored. */
  onTrialFinished?: (trial: FrozenTrial) => void;
}

export type TellResult =
  | { state: "COMPLETE"; value: number }
  | { state: "PRUNED" }
  | { state: "FAIL"; reason?: string };

export class Study {
  readonly id: string;
  readonly name: string;
  readonly direction: Direction;
  readonly sampler: Sampler;
  readonly pruner: Pruner;
  readonly storage: HpoStorage;
  private cache: readonly FrozenTrial[] = [];

  constructor(record: StudyRecord, sampler: Sampler, pruner: Pruner, storage: HpoStorage) {
    this.id = record.id;
    this.name = record.name;
    this.direction = record.direction;
    this.sampler = sampler;
    this.pruner = pruner;
    this.storage = storage;
  }

  /** Trials as of the last refresh (optimize and tell refresh at the end). */
  get trials(): readonly FrozenTrial[] {
    return this.cache;
  }

  get bestTrial(): FrozenTrial {
    const best = bestTrialOf(this.cache, this.direction);
    if (!best) throw invalid(`study '${this.name}' has no COMPLETE trial yet`);
    return best;
  }

  get bestValue(): number {
    return this.bestTrial.value as number;
  }

  get bestParams(): Readonly<Record<string, ParamValue>> {
    return this.bestTrial.params;
  }

  async refresh(): Promise<readonly FrozenTrial[]> {
    this.cache = await this.storage.getAllTrials(this.id);
    return this.cache;
  }

  /** Adds a WAITING trial whose suggestions return these values; the next trial to start takes it. */
  async enqueueTrial(params: Record<string, ParamValue>): Promise<FrozenTrial> {
    if (params === null || typeof params !== "object" || Array.isArray(params)) throw invalid("enqueueTrial needs an object of parameter values");
    const t = await this.storage.createTrial(this.id, { state: "WAITING", systemAttrs: { [SYSTEM_ATTRS.fixedParams]: { ...params } } });
    await this.refresh();
    return t;
  }

  /** Starts a trial (an enqueued one first) with its jointly sampled parameters drawn. */
  async ask(): Promise<Trial> {
    const frozen = (await this.storage.claimWaitingTrial(this.id)) ?? (await this.storage.createTrial(this.id));
    return this.askWith(frozen);
  }

  /** Starts a RUNNING trial the caller created itself (a retry of a trial whose worker died). */
  async askWith(frozen: FrozenTrial): Promise<Trial> {
    if (frozen.state !== "RUNNING") throw invalid(`trial ${frozen.number} is ${frozen.state}, not RUNNING`);
    const snapshot = await this.storage.getAllTrials(this.id);
    this.cache = snapshot;
    const view: StudyView = { direction: this.direction, trials: snapshot };
    let relativeSpace: SearchSpace = {};
    let relativeParams: Record<string, ParamValue> = {};
    if (this.sampler.inferRelativeSearchSpace && this.sampler.sampleRelative) {
      relativeSpace = this.sampler.inferRelativeSearchSpace(view, frozen);
      if (Object.keys(relativeSpace).length > 0) relativeParams = this.sampler.sampleRelative(view, frozen, relativeSpace);
      // Stored so that, with constant liar, other workers see the whole point this trial is going to try.
      if (Object.keys(relativeParams).length > 0) await this.storage.setTrialSystemAttr(frozen.id, SYSTEM_ATTRS.relativeParams, relativeParams);
    }
    return new Trial({
      storage: this.storage,
      studyId: this.id,
      direction: this.direction,
      sampler: this.sampler,
      pruner: this.pruner,
      frozen,
      snapshot,
      relativeSpace,
      relativeParams,
    });
  }

  /** Finishes a trial started with ask(). A PRUNED trial keeps its last intermediate value as its value. */
  async tell(trial: Trial, result: TellResult): Promise<FrozenTrial> {
    let outcome = result;
    try {
      await trial.flush();
    } catch (err) {
      outcome = { state: "FAIL", reason: `storage error: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (outcome.state === "COMPLETE" && (typeof outcome.value !== "number" || Number.isNaN(outcome.value))) {
      outcome = { state: "FAIL", reason: `the objective returned ${String(outcome.value)}, not a number` };
    }
    let value: number | null = null;
    if (outcome.state === "COMPLETE") value = outcome.value;
    else if (outcome.state === "PRUNED") {
      const view = trial.frozenView();
      const step = lastStep(view);
      value = step === null ? null : view.intermediateValues[step]!;
    } else {
      await this.storage.setTrialSystemAttr(trial.id, SYSTEM_ATTRS.failReason, outcome.reason ?? "failed");
    }
    return this.storage.finishTrial(trial.id, outcome.state, value);
  }

  /**
   * Runs trials until nTrials have run in this call, the timeout passes or the signal aborts. An
   * objective that throws TrialPruned ends PRUNED; any other error, or a non-number result, ends FAIL
   * with the reason in systemAttrs.fail_reason, and the study goes on.
   */
  async optimize(objective: Objective, opts: OptimizeOptions = {}): Promise<void> {
    const { nTrials, timeoutMs, signal } = opts;
    const concurrency = opts.concurrency ?? 1;
    if (nTrials === undefined && timeoutMs === undefined && signal === undefined) throw invalid("optimize needs nTrials, timeoutMs or a signal");
    if (nTrials !== undefined && (!Number.isInteger(nTrials) || nTrials < 0)) throw invalid("nTrials must be a whole number >= 0");
    if (timeoutMs !== undefined && !(timeoutMs >= 0)) throw invalid("timeoutMs must be >= 0");
    if (!Number.isInteger(concurrency) || concurrency < 1) throw invalid("concurrency must be a whole number >= 1");
    const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
    let started = 0;
    let exhausted = false;
    const more = () => !exhausted && (nTrials === undefined || started < nTrials) && Date.now() < deadline && !signal?.aborted;
    const worker = async () => {
      while (more()) {
        if (this.sampler.isExhausted) {
          const trials = await this.storage.getAllTrials(this.id);
          if (this.sampler.isExhausted({ direction: this.direction, trials })) {
            exhausted = true;
            break;
          }
        }
        started++;
        const finished = await this.runTrial(objective);
        opts.onTrialFinished?.(finished);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    await this.refresh();
  }

  private async runTrial(objective: Objective): Promise<FrozenTrial> {
    const trial = await this.ask();
    let result: TellResult;
    try {
      result = { state: "COMPLETE", value: await objective(trial) };
    } catch (err) {
      if (err instanceof TrialPruned) result = { state: "PRUNED" };
      else result = { state: "FAIL", reason: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
    }
    return this.tell(trial, result);
  }
}

export async function createStudy(opts: CreateStudyOptions = {}): Promise<Study> {
  const direction = opts.direction ?? "minimize";
  if (direction !== "minimize" && direction !== "maximize") throw invalid(`direction must be 'minimize' or 'maximize', got '${String(direction)}'`);
  const storage = opts.storage ?? new InMemoryStorage();
  const name = opts.studyName ?? `study-${randomUUID().slice(0, 8)}`;
  let record = opts.loadIfExists ? await storage.getStudyByName(name) : null;
  if (record && record.direction !== direction) throw invalid(`study '${name}' exists with direction ${record.direction}`);
  record ??= await storage.createStudy({ name, direction });
  const study = new Study(record, opts.sampler ?? new TPESampler(), opts.pruner ?? new MedianPruner(), storage);
  await study.refresh();
  return study;
}
