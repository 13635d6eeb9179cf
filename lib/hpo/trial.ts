// The define-by-run trial handed to an objective. Suggestions are synchronous: they come from the
// sampler over the study snapshot taken when the trial started, and the writes to storage are queued
// and awaited before the trial finishes, so an objective reads like Optuna's.
import { invalid } from "@/lib/errors";
import type { Distribution, NumericOptions, ParamValue, SearchSpace } from "./distributions";
import {
  categoricalDistribution,
  contains,
  describeDistribution,
  distributionsEqual,
  floatDistribution,
  intDistribution,
  isSingle,
} from "./distributions";
import type { Pruner } from "./pruners/types";
import type { Sampler } from "./samplers/types";
import type { HpoStorage } from "./storage";
import type { Direction, FrozenTrial, StudyView } from "./types";
import { SYSTEM_ATTRS } from "./types";

/** Throw from an objective to stop a trial early; the trial ends PRUNED. */
export class TrialPruned extends Error {
  constructor(message = "trial pruned") {
    super(message);
    this.name = "TrialPruned";
  }
}

export interface TrialContext {
  storage: HpoStorage;
  studyId: string;
  direction: Direction;
  sampler: Sampler;
  pruner: Pruner;
  /** The trial as stored when it started. */
  frozen: FrozenTrial;
  /** All trials of the study when this one started. */
  snapshot: readonly FrozenTrial[];
  relativeSpace: SearchSpace;
  relativeParams: Record<string, ParamValue>;
}

export class Trial {
  readonly number: number;
  readonly id: string;
  private readonly ctx: TrialContext;
  private readonly view: StudyView;
  private readonly fixed: Readonly<Record<string, ParamValue>>;
  private readonly values: Record<string, ParamValue> = {};
  private readonly dists: Record<string, Distribution> = {};
  private readonly intermediate: Record<number, number> = {};
  private readonly attrs: Record<string, unknown> = {};
  private writes: Promise<void> = Promise.resolve();
  private writeError: unknown = null;

  constructor(ctx: TrialContext) {
    this.ctx = ctx;
    this.number = ctx.frozen.number;
    this.id = ctx.frozen.id;
    this.view = { direction: ctx.direction, trials: ctx.snapshot };
    this.fixed = (ctx.frozen.systemAttrs[SYSTEM_ATTRS.fixedParams] as Record<string, ParamValue> | undefined) ?? {};
    Object.assign(this.values, ctx.frozen.params);
    Object.assign(this.dists, ctx.frozen.distributions);
  }

  /** A float in [low, high]; `log` samples on a log scale, `step` on the grid low, low+step, …, high. */
  suggestFloat(name: string, low: number, high: number, opts: NumericOptions = {}): number {
    return this.suggest(name, floatDistribution(low, high, opts, name)) as number;
  }

  /** An integer in [low, high]; `log` samples on a log scale, `step` on the grid low, low+step, …, high. */
  suggestInt(name: string, low: number, high: number, opts: NumericOptions = {}): number {
    return this.suggest(name, intDistribution(low, high, opts, name)) as number;
  }

  /** One of the choices (strings, numbers, booleans or null). */
  suggestCategorical<T extends ParamValue>(name: string, choices: readonly T[]): T {
    return this.suggest(name, categoricalDistribution(choices, name)) as T;
  }

  /** Records an intermediate value (e.g. validation loss after an epoch); a step reported twice keeps the first. */
  report(value: number, step: number): void {
    if (typeof value !== "number") throw invalid(`report() needs a number, got ${typeof value}`);
    if (!Number.isSafeInteger(step) || step < 0) throw invalid(`step must be a whole number >= 0, got ${step}`);
    if (step in this.intermediate) return;
    this.intermediate[step] = value;
    this.enqueue(() => this.ctx.storage.reportIntermediate(this.id, step, value));
  }

  /**
   * Whether the pruner would stop this trial now. Async because the decision needs the other trials'
   * latest intermediate values from storage, which other workers may be writing.
   */
  async shouldPrune(): Promise<boolean> {
    await this.flush();
    const trials = await this.ctx.storage.getAllTrials(this.ctx.studyId);
    const me = trials.find((t) => t.id === this.id) ?? this.frozenView();
    return this.ctx.pruner.prune({ direction: this.ctx.direction, trials }, me);
  }

  setUserAttr(key: string, value: unknown): void {
    if (typeof key !== "string" || key === "") throw invalid("a user attribute needs a non-empty key");
    // Fail here, in the objective, on values storage could not serialise (cycles, BigInt).
    if (value !== undefined) JSON.stringify(value);
    this.attrs[key] = value;
    this.enqueue(() => this.ctx.storage.setTrialUserAttr(this.id, key, value));
  }

  get params(): Readonly<Record<string, ParamValue>> {
    return { ...this.values };
  }

  get distributions(): Readonly<Record<string, Distribution>> {
    return { ...this.dists };
  }

  get userAttrs(): Readonly<Record<string, unknown>> {
    return { ...this.attrs };
  }

  /** Waits for queued writes; rethrows the first storage error. */
  async flush(): Promise<void> {
    await this.writes;
    if (this.writeError !== null) throw this.writeError;
  }

  private suggest(name: string, dist: Distribution): ParamValue {
    if (typeof name !== "string" || name === "") throw invalid("a parameter needs a non-empty name");
    const prev = this.dists[name];
    if (prev) {
      if (!distributionsEqual(prev, dist)) {
        throw invalid(`parameter '${name}' was already suggested as ${describeDistribution(prev)}; it cannot be suggested again as ${describeDistribution(dist)}`);
      }
      return this.values[name] as ParamValue;
    }
    let value: ParamValue;
    if (name in this.fixed) {
      value = this.fixed[name] as ParamValue;
      if (!contains(dist, value)) throw invalid(`enqueued value ${JSON.stringify(value)} of '${name}' is outside ${describeDistribution(dist)}`);
    } else if (isSingle(dist)) {
      value = dist.type === "categorical" ? (dist.choices[0] as ParamValue) : dist.low;
    } else if (name in this.ctx.relativeParams && this.ctx.relativeSpace[name] && distributionsEqual(this.ctx.relativeSpace[name], dist)) {
      value = this.ctx.relativeParams[name] as ParamValue;
    } else {
      value = this.ctx.sampler.sampleIndependent(this.view, this.frozenView(), name, dist);
    }
    this.values[name] = value;
    this.dists[name] = dist;
    this.enqueue(() => this.ctx.storage.setTrialParam(this.id, name, value, dist));
    return value;
  }

  /** This trial as samplers and pruners see it (its own params and reports so far). */
  frozenView(): FrozenTrial {
    return {
      ...this.ctx.frozen,
      params: { ...this.values },
      distributions: { ...this.dists },
      intermediateValues: { ...this.intermediate },
      userAttrs: { ...this.ctx.frozen.userAttrs, ...this.attrs },
    };
  }

  private enqueue(write: () => Promise<void>): void {
    this.writes = this.writes.then(async () => {
      if (this.writeError !== null) return;
      try {
        await write();
      } catch (err) {
        this.writeError = err;
      }
    });
  }
}
