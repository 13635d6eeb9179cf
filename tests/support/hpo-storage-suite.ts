// One behaviour suite for every HpoStorage backend (in-memory now, the database next), after Optuna's
// testing/storages: the same assertions run against each implementation.
import { describe, expect, it } from "vitest";
import type { HpoStorage } from "@/lib/hpo";
import { floatDistribution, intDistribution } from "@/lib/hpo";

export function describeHpoStorage(name: string, makeStorage: () => HpoStorage | Promise<HpoStorage>): void {
  const unique = () => `suite-${Math.random().toString(36).slice(2, 10)}`;

  describe(`HpoStorage: ${name}`, () => {
    it("creates a study once and finds it by name", async () => {
      const s = await makeStorage();
      const n = unique();
      const study = await s.createStudy({ name: n, direction: "maximize" });
      expect(study).toMatchObject({ name: n, direction: "maximize" });
      expect((await s.getStudyByName(n))?.id).toBe(study.id);
      expect(await s.getStudyByName(`${n}-missing`)).toBeNull();
      await expect(s.createStudy({ name: n, direction: "minimize" })).rejects.toMatchObject({ code: "conflict" });
    });

    it("numbers trials 0, 1, 2, … without duplicates under concurrent creation", async () => {
      const s = await makeStorage();
      const study = await s.createStudy({ name: unique(), direction: "minimize" });
      const trials = await Promise.all(Array.from({ length: 20 }, () => s.createTrial(study.id)));
      expect(trials.map((t) => t.number).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      expect(trials.every((t) => t.state === "RUNNING")).toBe(true);
    });

    it("records params, intermediate values and attributes, and returns immutable snapshots", async () => {
      const s = await makeStorage();
      const study = await s.createStudy({ name: unique(), direction: "minimize" });
      const t = await s.createTrial(study.id);
      const d = floatDistribution(0, 1);
      await s.setTrialParam(t.id, "x", 0.25, d);
      await s.reportIntermediate(t.id, 0, 3);
      await s.reportIntermediate(t.id, 1, 2);
      await s.reportIntermediate(t.id, 1, 99);
      await s.setTrialUserAttr(t.id, "note", { a: 1 });
      const before = await s.getTrial(t.id);
      await s.setTrialParam(t.id, "n", 3, intDistribution(1, 5));
      expect(before.params).toEqual({ x: 0.25 });
      const now = await s.getTrial(t.id);
      expect(now.params).toEqual({ x: 0.25, n: 3 });
      expect(now.distributions.x).toEqual(d);
      expect(now.intermediateValues).toEqual({ 0: 3, 1: 2 });
      expect(now.userAttrs).toEqual({ note: { a: 1 } });
      await expect(s.setTrialParam(t.id, "x", 2, floatDistribution(0, 5))).rejects.toMatchObject({ code: "conflict" });
    });

    it("finishes a running trial once; finished trials reject writes", async () => {
      const s = await makeStorage();
      const study = await s.createStudy({ name: unique(), direction: "minimize" });
      const t = await s.createTrial(study.id);
      const done = await s.finishTrial(t.id, "COMPLETE", 1.5);
      expect(done).toMatchObject({ state: "COMPLETE", value: 1.5 });
      expect(done.completedAt).toBeInstanceOf(Date);
      await expect(s.finishTrial(t.id, "FAIL", null)).rejects.toMatchObject({ code: "conflict" });
      await expect(s.reportIntermediate(t.id, 5, 1)).rejects.toMatchObject({ code: "conflict" });
    });

    it("hands each WAITING trial to exactly one claimer, oldest first", async () => {
      const s = await makeStorage();
      const study = await s.createStudy({ name: unique(), direction: "minimize" });
      const w0 = await s.createTrial(study.id, { state: "WAITING", systemAttrs: { fixed_params: { x: 1 } } });
      const w1 = await s.createTrial(study.id, { state: "WAITING" });
      const claims = await Promise.all([s.claimWaitingTrial(study.id), s.claimWaitingTrial(study.id), s.claimWaitingTrial(study.id)]);
      const got = claims.filter((c) => c !== null);
      expect(got.map((c) => c!.id).sort()).toEqual([w0.id, w1.id].sort());
      expect(got.every((c) => c!.state === "RUNNING")).toBe(true);
      expect(claims.filter((c) => c === null)).toHaveLength(1);
      expect((await s.getTrial(w0.id)).systemAttrs).toEqual({ fixed_params: { x: 1 } });
    });

    it("lists trials by number and filters by state", async () => {
      const s = await makeStorage();
      const study = await s.createStudy({ name: unique(), direction: "minimize" });
      const a = await s.createTrial(study.id);
      const b = await s.createTrial(study.id);
      await s.createTrial(study.id, { state: "WAITING" });
      await s.finishTrial(b.id, "PRUNED", null);
      const all = await s.getAllTrials(study.id);
      expect(all.map((t) => [t.number, t.state])).toEqual([
        [0, "RUNNING"],
        [1, "PRUNED"],
        [2, "WAITING"],
      ]);
      const running = await s.getAllTrials(study.id, { states: ["RUNNING"] });
      expect(running.map((t) => t.id)).toEqual([a.id]);
    });

    it("reports unknown studies and trials as not found", async () => {
      const s = await makeStorage();
      await expect(s.getAllTrials("no-such-study")).rejects.toMatchObject({ code: "not_found" });
      await expect(s.getTrial("no-such-trial")).rejects.toMatchObject({ code: "not_found" });
    });
  });
}
