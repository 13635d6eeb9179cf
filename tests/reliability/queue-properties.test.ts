// Property-based test of the job queue (fast-check) against the real database: random sequences of
// enqueue, claim (alone and racing), complete, fail, release, cancel, heartbeat, lease expiry and the
// clock moving on, checked after every step against a model of what each operation must do.
// Invariants an operator relies on: a job is never held by two workers (a claim only ever takes a
// queued job), attempts never exceed the maximum, a finished job (succeeded, dead, cancelled) never
// changes again, only the owner can finish a job, and nothing due is left unclaimed.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { cancelJob, claim, complete, enqueue, fail, heartbeat, reapExpiredLeases, release, type JobState } from "@/lib/jobs";
import { uid } from "../support/factories";
import { jobType } from "../support/wait";

const WORKERS = 3;
const LEASE_MS = 60_000;
const TERMINAL: JobState[] = ["succeeded", "dead", "cancelled"];

type Op =
  | { kind: "enqueue"; maxAttempts: number }
  | { kind: "claim"; w: number }
  | { kind: "claimRace" }
  | { kind: "complete" | "release" | "heartbeat"; j: number; w: Who }
  | { kind: "fail"; j: number; w: Who; retry: boolean }
  | { kind: "cancel" | "expire"; j: number }
  | { kind: "tick" };

/** A worker by index, or "owner": the worker holding a running job (most calls come from the owner). */
type Who = number | "owner";
const job = fc.nat(7);
const worker = fc.nat(WORKERS - 1);
const who: fc.Arbitrary<Who> = fc.oneof({ arbitrary: fc.constant("owner" as const), weight: 3 }, { arbitrary: worker, weight: 1 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant("enqueue" as const), maxAttempts: fc.integer({ min: 1, max: 3 }) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant("claim" as const), w: worker }), weight: 3 },
  fc.constant({ kind: "claimRace" as const }),
  { arbitrary: fc.record({ kind: fc.constantFrom("complete" as const, "release" as const, "heartbeat" as const), j: job, w: who }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant("fail" as const), j: job, w: who, retry: fc.boolean() }), weight: 3 },
  fc.record({ kind: fc.constantFrom("cancel" as const, "expire" as const), j: job }),
  fc.constant({ kind: "tick" as const }),
);

interface ModelJob {
  id: string;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  owner: string | null;
  cancelRequested: boolean;
}

/** What a retry-or-not decision gives, as the queue documents it (docs/jobs.md). */
const afterAttempt = (m: ModelJob, retry: boolean): JobState => (m.cancelRequested ? "cancelled" : retry && m.attempts < m.maxAttempts ? "queued" : "dead");

async function runSequence(ops: Op[]): Promise<void> {
  const type = jobType();
  const workers = Array.from({ length: WORKERS }, (_, i) => `prop-w${i}-${uid()}`);
  const model: ModelJob[] = [];
  const finished = new Map<string, JobState>();
  const pick = (j: number) => (model.length ? model[j % model.length]! : null);
  const owns = (m: ModelJob | null, w: string) => m !== null && m.state === "running" && m.owner === w;
  /** The job and the calling worker of an operation: "owner" picks among running jobs and calls as their owner. */
  const target = (j: number, w: Who): { m: ModelJob | null; w: string } => {
    if (w !== "owner") return { m: pick(j), w: workers[w]! };
    const running = model.filter((x) => x.state === "running");
    const m = running.length ? running[j % running.length]! : pick(j);
    return { m, w: m?.owner ?? workers[0]! };
  };

  const takeClaim = async (w: string, claimed: { id: string } | null, before: Date) => {
    if (!claimed) {
      // Nothing claimable: every queued job is still waiting out its retry delay.
      const due = await db().job.count({ where: { type, state: "queued", runAt: { lte: before } } });
      expect(due, `claim by ${w} found nothing while ${due} job(s) were due`).toBe(0);
      return;
    }
    const m = model.find((x) => x.id === claimed.id);
    expect(m, "a claim returned a job of another type").toBeDefined();
    // The heart of it: a claim takes a queued job, never one another worker holds or a finished one.
    expect(m!.state, `job ${claimed.id} claimed by ${w} while ${m!.state}${m!.owner ? ` by ${m!.owner}` : ""}`).toBe("queued");
    Object.assign(m!, { state: "running", owner: w, attempts: m!.attempts + 1, cancelRequested: false });
  };

  for (const op of ops) {
    switch (op.kind) {
      case "enqueue": {
        const j = await enqueue(type, {}, { maxAttempts: op.maxAttempts });
        model.push({ id: j.id, state: "queued", attempts: 0, maxAttempts: op.maxAttempts, owner: null, cancelRequested: false });
        break;
      }
      case "claim": {
        const before = new Date();
        await takeClaim(workers[op.w]!, await claim(workers[op.w]!, { leaseMs: LEASE_MS, types: [type] }), before);
        break;
      }
      case "claimRace": {
        const before = new Date();
        const got = await Promise.all(workers.map((w) => claim(w, { leaseMs: LEASE_MS, types: [type] })));
        const ids = got.filter((g) => g !== null).map((g) => g.id);
        expect(new Set(ids).size, `one job claimed twice in a race: ${ids.join(", ")}`).toBe(ids.length);
        for (const [i, g] of got.entries()) if (g) await takeClaim(workers[i]!, g, before);
        // A worker that got nothing while another job was due would have been a lost claim.
        if (got.some((g) => g === null)) await takeClaim("(race)", null, before);
        break;
      }
      case "complete": {
        const { m, w } = target(op.j, op.w);
        if (!m) break;
        const expected = owns(m, w);
        expect(await complete(m.id, w, { ok: true })).toBe(expected);
        if (expected) Object.assign(m, { state: "succeeded", owner: null });
        break;
      }
      case "fail": {
        const { m, w } = target(op.j, op.w);
        if (!m) break;
        const expected = owns(m, w) ? afterAttempt(m, op.retry) : null;
        expect(await fail(m.id, w, "boom", { retry: op.retry })).toBe(expected);
        if (expected) Object.assign(m, { state: expected, owner: null });
        break;
      }
      case "release": {
        const { m, w } = target(op.j, op.w);
        if (!m) break;
        const expected = owns(m, w);
        expect(await release(m.id, w)).toBe(expected);
        if (expected) Object.assign(m, m.cancelRequested ? { state: "cancelled", owner: null } : { state: "queued", owner: null, attempts: m.attempts - 1 });
        break;
      }
      case "heartbeat": {
        const { m, w } = target(op.j, op.w);
        if (!m) break;
        const expected = owns(m, w);
        expect(await heartbeat(m.id, w, LEASE_MS)).toEqual({ owned: expected, cancelRequested: expected && m.cancelRequested });
        break;
      }
      case "cancel": {
        const m = pick(op.j);
        if (!m) break;
        if (TERMINAL.includes(m.state)) {
          await expect(cancelJob(m.id)).rejects.toSatisfy((e) => e instanceof AppError && e.code === "conflict");
        } else {
          await cancelJob(m.id);
          if (m.state === "queued") m.state = "cancelled";
          else m.cancelRequested = true;
        }
        break;
      }
      case "expire": {
        // The owner stops heartbeating: its lease runs out and the reaper decides.
        const m = pick(op.j);
        if (!m || m.state !== "running") break;
        await db().job.update({ where: { id: m.id }, data: { leaseUntil: new Date(Date.now() - 1_000) } });
        expect(await reapExpiredLeases()).toBeGreaterThanOrEqual(1);
        Object.assign(m, { state: afterAttempt(m, true), owner: null });
        break;
      }
      case "tick":
        // The clock moves past every retry delay.
        await db().job.updateMany({ where: { type, state: "queued" }, data: { runAt: new Date(Date.now() - 1_000) } });
        break;
    }

    // The database agrees with the model, and the invariants hold for every job.
    const rows = await db().job.findMany({ where: { type }, orderBy: { createdAt: "asc" } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(rows).toHaveLength(model.length);
    for (const m of model) {
      const r = byId.get(m.id)!;
      const where = `job ${m.id} after ${JSON.stringify(op)}`;
      expect({ state: r.state, attempts: r.attempts, lockedBy: r.lockedBy, cancelRequested: r.cancelRequested }, where).toEqual({
        state: m.state,
        attempts: m.attempts,
        lockedBy: m.owner,
        cancelRequested: m.cancelRequested,
      });
      expect(r.attempts, where).toBeLessThanOrEqual(r.maxAttempts);
      expect(r.attempts, where).toBeGreaterThanOrEqual(0);
      expect(r.leaseUntil !== null, `${where}: a lease exactly while running`).toBe(r.state === "running");
      if (TERMINAL.includes(r.state as JobState)) {
        expect(r.finishedAt, where).not.toBeNull();
        expect(finished.get(r.id) ?? r.state, `${where}: a finished job changed state`).toBe(r.state);
        finished.set(r.id, r.state as JobState);
      }
    }
  }
}

describe("job queue properties", () => {
  it("keeps its invariants over random operation sequences", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 30 }), (ops) => runSequence(ops)),
      { numRuns: 40, endOnFailure: false },
    );
  }, 180_000);
});
