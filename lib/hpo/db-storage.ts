// HpoStorage in the platform database (Prisma; SQLite or PostgreSQL): the storage that lets several
// worker processes share one study. Trial numbers come from a transaction that locks the study row on
// PostgreSQL (SQLite has one writer) and retries on the unique (studyId, number) constraint.
import { db, dbKind, newId, parseJson, transaction, type Tx } from "@/lib/db";
import { conflict, invalid, notFound } from "@/lib/errors";
import type { Distribution, ParamValue } from "./distributions";
import { describeDistribution, distributionsEqual } from "./distributions";
import type { CreateTrialInput, HpoStorage, StudyRecord } from "./storage";
import type { Direction, FinishedState, FrozenTrial, TrialState } from "./types";
import { isFinished } from "./types";

interface TrialRow {
  id: string;
  number: number;
  state: string;
  value: number | null;
  params: string;
  distributions: string;
  userAttrs: string;
  systemAttrs: string;
  startedAt: Date | null;
  completedAt: Date | null;
}

const TRIAL_COLUMNS = {
  id: true,
  number: true,
  state: true,
  value: true,
  params: true,
  distributions: true,
  userAttrs: true,
  systemAttrs: true,
  startedAt: true,
  completedAt: true,
} as const;

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string })?.code === "P2002" || /unique constraint/i.test(String((err as Error)?.message));
}

function toFrozen(row: TrialRow, intermediate: readonly { step: number; value: number }[]): FrozenTrial {
  const iv: Record<number, number> = {};
  for (const p of intermediate) iv[p.step] = p.value;
  return Object.freeze({
    id: row.id,
    number: row.number,
    state: row.state as TrialState,
    value: row.value,
    params: Object.freeze(parseJson<Record<string, ParamValue>>(row.params, {})),
    distributions: Object.freeze(parseJson<Record<string, Distribution>>(row.distributions, {})),
    intermediateValues: Object.freeze(iv),
    userAttrs: Object.freeze(parseJson<Record<string, unknown>>(row.userAttrs, {})),
    systemAttrs: Object.freeze(parseJson<Record<string, unknown>>(row.systemAttrs, {})),
    startedAt: row.startedAt,
    completedAt: row.completedAt,
  });
}

function toStudyRecord(r: { id: string; name: string; direction: string; createdAt: Date }): StudyRecord {
  return Object.freeze({ id: r.id, name: r.name, direction: r.direction as Direction, createdAt: r.createdAt });
}

/** Studies and trials in the platform database. Finished trials never change, so their snapshots are cached. */
export class DbStorage implements HpoStorage {
  private readonly finished = new Map<string, FrozenTrial>();

  async createStudy(input: { name: string; direction: Direction }): Promise<StudyRecord> {
    if (!input.name) throw invalid("a study needs a name");
    try {
      const row = await db().study.create({ data: { id: newId(), name: input.name, direction: input.direction } });
      return toStudyRecord(row);
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`study '${input.name}' already exists`);
      throw err;
    }
  }

  async getStudyByName(name: string): Promise<StudyRecord | null> {
    const row = await db().study.findUnique({ where: { name } });
    return row ? toStudyRecord(row) : null;
  }

  async createTrial(studyId: string, input: CreateTrialInput = {}): Promise<FrozenTrial> {
    const state = input.state ?? "RUNNING";
    const now = new Date();
    for (let attempt = 1; ; attempt++) {
      try {
        const row = await transaction(async (tx) => {
          await lockStudy(tx, studyId);
          const last = await tx.trial.findFirst({ where: { studyId }, orderBy: { number: "desc" }, select: { number: true } });
          return tx.trial.create({
            data: {
              id: newId(),
              studyId,
              number: last ? last.number + 1 : 0,
              state,
              systemAttrs: JSON.stringify(input.systemAttrs ?? {}),
              startedAt: state === "RUNNING" ? now : null,
              heartbeatAt: state === "RUNNING" ? now : null,
            },
            select: TRIAL_COLUMNS,
          });
        });
        return toFrozen(row, []);
      } catch (err) {
        // Without the row lock (SQLite across processes) two writers can still pick the same number.
        if (!isUniqueViolation(err) || attempt >= 20) throw err;
        await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
      }
    }
  }

  async claimWaitingTrial(studyId: string): Promise<FrozenTrial | null> {
    for (let i = 0; i < 20; i++) {
      const candidate = await db().trial.findFirst({ where: { studyId, state: "WAITING" }, orderBy: { number: "asc" }, select: { id: true } });
      if (!candidate) {
        await this.studyExists(studyId);
        return null;
      }
      const now = new Date();
      const { count } = await db().trial.updateMany({
        where: { id: candidate.id, state: "WAITING" },
        data: { state: "RUNNING", startedAt: now, heartbeatAt: now },
      });
      if (count === 1) return this.getTrial(candidate.id);
    }
    return null;
  }

  async setTrialParam(trialId: string, name: string, value: ParamValue, distribution: Distribution): Promise<void> {
    await this.updateRunning(trialId, (row) => {
      const params = parseJson<Record<string, ParamValue>>(row.params, {});
      const dists = parseJson<Record<string, Distribution>>(row.distributions, {});
      const prev = dists[name];
      if (prev && !distributionsEqual(prev, distribution)) {
        throw conflict(`parameter '${name}' of trial ${row.number} was set with ${describeDistribution(prev)}, not ${describeDistribution(distribution)}`);
      }
      params[name] = value;
      dists[name] = distribution;
      return { params: JSON.stringify(params), distributions: JSON.stringify(dists) };
    });
  }

  async reportIntermediate(trialId: string, step: number, value: number): Promise<void> {
    // One statement: inserted only while the trial runs; a step reported twice keeps its first value.
    const n = await db().$executeRaw`INSERT INTO "TrialIntermediate" ("trialId", "step", "value")
      SELECT ${trialId}, ${step}, ${value} WHERE EXISTS (SELECT 1 FROM "Trial" WHERE "id" = ${trialId} AND "state" = 'RUNNING')
      ON CONFLICT ("trialId", "step") DO NOTHING`;
    if (n === 0) await this.runningRow(trialId);
  }

  async setTrialUserAttr(trialId: string, key: string, value: unknown): Promise<void> {
    await this.updateRunning(trialId, (row) => ({ userAttrs: JSON.stringify({ ...parseJson<Record<string, unknown>>(row.userAttrs, {}), [key]: value }) }));
  }

  async setTrialSystemAttr(trialId: string, key: string, value: unknown): Promise<void> {
    await this.updateRunning(
      trialId,
      (row) => ({ systemAttrs: JSON.stringify({ ...parseJson<Record<string, unknown>>(row.systemAttrs, {}), [key]: value }) }),
      { allowWaiting: true },
    );
  }

  async finishTrial(trialId: string, state: FinishedState, value: number | null): Promise<FrozenTrial> {
    const { count } = await db().trial.updateMany({
      where: { id: trialId, state: "RUNNING" },
      data: { state, value, completedAt: new Date() },
    });
    if (count === 0) {
      const t = await this.getTrial(trialId);
      throw conflict(`trial ${t.number} is ${t.state}, not RUNNING`);
    }
    return this.getTrial(trialId);
  }

  async getTrial(trialId: string): Promise<FrozenTrial> {
    const cached = this.finished.get(trialId);
    if (cached) return cached;
    const row = await db().trial.findUnique({ where: { id: trialId }, select: { ...TRIAL_COLUMNS, intermediate: { select: { step: true, value: true } } } });
    if (!row) throw notFound("trial", trialId);
    return this.remember(toFrozen(row, row.intermediate));
  }

  async getAllTrials(studyId: string, opts: { states?: readonly TrialState[] } = {}): Promise<readonly FrozenTrial[]> {
    const where = { studyId, ...(opts.states ? { state: { in: [...opts.states] } } : {}) };
    const rows = await db().trial.findMany({ where, orderBy: { number: "asc" }, select: TRIAL_COLUMNS });
    if (rows.length === 0) await this.studyExists(studyId);
    // Intermediate values only for the trials not cached as finished.
    const missing = rows.filter((r) => !this.finished.has(r.id) || r.state !== "COMPLETE" && r.state !== "PRUNED" && r.state !== "FAIL");
    const byTrial = new Map<string, { step: number; value: number }[]>();
    for (let i = 0; i < missing.length; i += 500) {
      const ids = missing.slice(i, i + 500).map((r) => r.id);
      const points = await db().trialIntermediate.findMany({ where: { trialId: { in: ids } }, select: { trialId: true, step: true, value: true } });
      for (const p of points) {
        let list = byTrial.get(p.trialId);
        if (!list) byTrial.set(p.trialId, (list = []));
        list.push(p);
      }
    }
    return rows.map((r) => this.finished.get(r.id) ?? this.remember(toFrozen(r, byTrial.get(r.id) ?? [])));
  }

  private remember(t: FrozenTrial): FrozenTrial {
    if (isFinished(t.state)) this.finished.set(t.id, t);
    return t;
  }

  private async studyExists(studyId: string): Promise<void> {
    const s = await db().study.findUnique({ where: { id: studyId }, select: { id: true } });
    if (!s) throw notFound("study", studyId);
  }

  private async runningRow(trialId: string, allowWaiting = false): Promise<TrialRow> {
    const row = await db().trial.findUnique({ where: { id: trialId }, select: TRIAL_COLUMNS });
    if (!row) throw notFound("trial", trialId);
    if (row.state !== "RUNNING" && !(allowWaiting && row.state === "WAITING")) throw conflict(`trial ${row.number} is ${row.state}, not RUNNING`);
    return row;
  }

  /**
   * Read-modify-write of a trial's JSON columns while it is RUNNING (WAITING when allowed), as a
   * compare-and-set on the columns read: no transaction held open, a concurrent writer makes it retry.
   */
  private async updateRunning(trialId: string, change: (row: TrialRow) => Record<string, string>, opts: { allowWaiting?: boolean } = {}): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const row = await this.runningRow(trialId, opts.allowWaiting);
      const { count } = await db().trial.updateMany({
        where: { id: trialId, state: row.state, params: row.params, distributions: row.distributions, userAttrs: row.userAttrs, systemAttrs: row.systemAttrs },
        data: change(row),
      });
      if (count === 1) return;
    }
    throw conflict("the trial is being written by another process; try again");
  }
}

/** PostgreSQL: serialises trial creation per study (SQLite already has a single writer). */
async function lockStudy(tx: Tx, studyId: string): Promise<void> {
  if (dbKind() === "postgres") {
    const rows = await tx.$queryRawUnsafe<{ id: string }[]>(`SELECT "id" FROM "Study" WHERE "id" = $1 FOR UPDATE`, studyId);
    if (rows.length === 0) throw notFound("study", studyId);
    return;
  }
  const s = await tx.study.findUnique({ where: { id: studyId }, select: { id: true } });
  if (!s) throw notFound("study", studyId);
}
