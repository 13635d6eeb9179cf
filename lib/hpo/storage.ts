// Storage of studies and trials: a few primitive operations returning immutable snapshots, in the style
// of Optuna's storages/_base.py. Everything else (best trial, counts) is built on top of getAllTrials.
// Every method is async so that a database backend (several workers on one study) fits the same shape.
import { randomUUID } from "node:crypto";
import { conflict, invalid, notFound } from "@/lib/errors";
import type { Distribution, ParamValue } from "./distributions";
import { distributionsEqual, describeDistribution } from "./distributions";
import type { Direction, FinishedState, FrozenTrial, TrialState } from "./types";
import { isFinished } from "./types";

export interface StudyRecord {
  readonly id: string;
  readonly name: string;
  readonly direction: Direction;
  readonly createdAt: Date;
}

export interface CreateTrialInput {
  /** RUNNING (default) for a trial that starts now, WAITING for an enqueued one. */
  state?: "RUNNING" | "WAITING";
  systemAttrs?: Record<string, unknown>;
}

export interface HpoStorage {
  /** Creates a study; conflict when the name is taken. */
  createStudy(input: { name: string; direction: Direction }): Promise<StudyRecord>;
  getStudyByName(name: string): Promise<StudyRecord | null>;
  /** Creates a trial with the next trial number of the study, unique even under concurrent callers. */
  createTrial(studyId: string, input?: CreateTrialInput): Promise<FrozenTrial>;
  /** Atomically moves the oldest WAITING trial to RUNNING and returns it; null when there is none. */
  claimWaitingTrial(studyId: string): Promise<FrozenTrial | null>;
  /** Records a parameter; conflict if it was set before with a different distribution. */
  setTrialParam(trialId: string, name: string, value: ParamValue, distribution: Distribution): Promise<void>;
  /** Records an intermediate value; a step reported twice keeps its first value. */
  reportIntermediate(trialId: string, step: number, value: number): Promise<void>;
  setTrialUserAttr(trialId: string, key: string, value: unknown): Promise<void>;
  setTrialSystemAttr(trialId: string, key: string, value: unknown): Promise<void>;
  /** Moves a RUNNING trial to a finished state; conflict when it is not RUNNING any more. */
  finishTrial(trialId: string, state: FinishedState, value: number | null): Promise<FrozenTrial>;
  getTrial(trialId: string): Promise<FrozenTrial>;
  /** All trials of the study ordered by number, optionally only those in the given states. */
  getAllTrials(studyId: string, opts?: { states?: readonly TrialState[] }): Promise<readonly FrozenTrial[]>;
}

interface MutableTrial {
  id: string;
  studyId: string;
  number: number;
  state: TrialState;
  value: number | null;
  params: Record<string, ParamValue>;
  distributions: Record<string, Distribution>;
  intermediateValues: Record<number, number>;
  userAttrs: Record<string, unknown>;
  systemAttrs: Record<string, unknown>;
  startedAt: Date | null;
  completedAt: Date | null;
  /** Snapshot cache: finished trials never change, running ones are re-frozen after each write. */
  frozen: FrozenTrial | null;
}

function freeze(t: MutableTrial): FrozenTrial {
  if (t.frozen) return t.frozen;
  const f: FrozenTrial = Object.freeze({
    id: t.id,
    number: t.number,
    state: t.state,
    value: t.value,
    params: Object.freeze({ ...t.params }),
    distributions: Object.freeze({ ...t.distributions }),
    intermediateValues: Object.freeze({ ...t.intermediateValues }),
    userAttrs: Object.freeze({ ...t.userAttrs }),
    systemAttrs: Object.freeze({ ...t.systemAttrs }),
    startedAt: t.startedAt,
    completedAt: t.completedAt,
  });
  t.frozen = f;
  return f;
}

/** Studies and trials in this process's memory: the default storage, and the reference for the others. */
export class InMemoryStorage implements HpoStorage {
  private readonly studies = new Map<string, StudyRecord>();
  private readonly trialsByStudy = new Map<string, MutableTrial[]>();
  private readonly trials = new Map<string, MutableTrial>();

  async createStudy(input: { name: string; direction: Direction }): Promise<StudyRecord> {
    if (!input.name) throw invalid("a study needs a name");
    if ([...this.studies.values()].some((s) => s.name === input.name)) throw conflict(`study '${input.name}' already exists`);
    const s: StudyRecord = Object.freeze({ id: randomUUID(), name: input.name, direction: input.direction, createdAt: new Date() });
    this.studies.set(s.id, s);
    this.trialsByStudy.set(s.id, []);
    return s;
  }

  async getStudyByName(name: string): Promise<StudyRecord | null> {
    return [...this.studies.values()].find((s) => s.name === name) ?? null;
  }

  async createTrial(studyId: string, input: CreateTrialInput = {}): Promise<FrozenTrial> {
    const list = this.studyTrials(studyId);
    const state = input.state ?? "RUNNING";
    const t: MutableTrial = {
      id: randomUUID(),
      studyId,
      number: list.length,
      state,
      value: null,
      params: {},
      distributions: {},
      intermediateValues: {},
      userAttrs: {},
      systemAttrs: { ...(input.systemAttrs ?? {}) },
      startedAt: state === "RUNNING" ? new Date() : null,
      completedAt: null,
      frozen: null,
    };
    list.push(t);
    this.trials.set(t.id, t);
    return freeze(t);
  }

  async claimWaitingTrial(studyId: string): Promise<FrozenTrial | null> {
    const t = this.studyTrials(studyId).find((x) => x.state === "WAITING");
    if (!t) return null;
    t.state = "RUNNING";
    t.startedAt = new Date();
    t.frozen = null;
    return freeze(t);
  }

  async setTrialParam(trialId: string, name: string, value: ParamValue, distribution: Distribution): Promise<void> {
    const t = this.running(trialId);
    const prev = t.distributions[name];
    if (prev && !distributionsEqual(prev, distribution)) {
      throw conflict(`parameter '${name}' of trial ${t.number} was set with ${describeDistribution(prev)}, not ${describeDistribution(distribution)}`);
    }
    t.params[name] = value;
    t.distributions[name] = distribution;
    t.frozen = null;
  }

  async reportIntermediate(trialId: string, step: number, value: number): Promise<void> {
    const t = this.running(trialId);
    if (step in t.intermediateValues) return;
    t.intermediateValues[step] = value;
    t.frozen = null;
  }

  async setTrialUserAttr(trialId: string, key: string, value: unknown): Promise<void> {
    const t = this.running(trialId);
    t.userAttrs[key] = value;
    t.frozen = null;
  }

  async setTrialSystemAttr(trialId: string, key: string, value: unknown): Promise<void> {
    const t = this.trial(trialId);
    if (isFinished(t.state)) throw conflict(`trial ${t.number} is already ${t.state}`);
    t.systemAttrs[key] = value;
    t.frozen = null;
  }

  async finishTrial(trialId: string, state: FinishedState, value: number | null): Promise<FrozenTrial> {
    const t = this.running(trialId);
    t.state = state;
    t.value = value;
    t.completedAt = new Date();
    t.frozen = null;
    return freeze(t);
  }

  async getTrial(trialId: string): Promise<FrozenTrial> {
    return freeze(this.trial(trialId));
  }

  async getAllTrials(studyId: string, opts: { states?: readonly TrialState[] } = {}): Promise<readonly FrozenTrial[]> {
    const list = this.studyTrials(studyId);
    const states = opts.states;
    const out: FrozenTrial[] = [];
    for (const t of list) if (!states || states.includes(t.state)) out.push(freeze(t));
    return out;
  }

  private studyTrials(studyId: string): MutableTrial[] {
    const list = this.trialsByStudy.get(studyId);
    if (!list) throw notFound("study", studyId);
    return list;
  }

  private trial(trialId: string): MutableTrial {
    const t = this.trials.get(trialId);
    if (!t) throw notFound("trial", trialId);
    return t;
  }

  private running(trialId: string): MutableTrial {
    const t = this.trial(trialId);
    if (t.state !== "RUNNING") throw conflict(`trial ${t.number} is ${t.state}, not RUNNING`);
    return t;
  }
}
