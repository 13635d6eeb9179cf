import { describe, expect, it } from "vitest";
import { InMemoryStorage, MedianPruner, NopPruner, RandomSampler, TPESampler, TrialPruned, createStudy } from "@/lib/hpo";

describe("study bookkeeping", () => {
  it("records FAIL (throw, NaN, non-number) and PRUNED trials, and picks the best COMPLETE one", async () => {
    const study = await createStudy({ sampler: new RandomSampler({ seed: 1 }), pruner: new NopPruner() });
    let n = 0;
    await study.optimize(
      (t) => {
        const x = t.suggestFloat("x", 0, 1);
        const k = n++;
        if (k === 0) throw new Error("diverged");
        if (k === 1) return NaN;
        if (k === 2) return "bad" as unknown as number;
        if (k === 3) {
          t.report(-100, 0);
          t.report(-50, 1);
          throw new TrialPruned();
        }
        return k === 4 ? 0.5 : 1 + x;
      },
      { nTrials: 6 },
    );
    const states = study.trials.map((t) => t.state);
    expect(states).toEqual(["FAIL", "FAIL", "FAIL", "PRUNED", "COMPLETE", "COMPLETE"]);
    expect(study.trials[0]!.systemAttrs.fail_reason).toBe("Error: diverged");
    expect(String(study.trials[1]!.systemAttrs.fail_reason)).toMatch(/returned NaN/);
    // A pruned trial's value is its last intermediate value, but it is never the best trial.
    expect(study.trials[3]!.value).toBe(-50);
    expect(study.trials[3]!.intermediateValues).toEqual({ 0: -100, 1: -50 });
    expect(study.bestTrial.number).toBe(4);
    expect(study.bestValue).toBe(0.5);
    expect(Object.keys(study.bestParams)).toEqual(["x"]);
    expect(study.trials.every((t) => t.completedAt instanceof Date)).toBe(true);
  });

  it("maximises: the best trial has the highest value", async () => {
    const study = await createStudy({ direction: "maximize", sampler: new RandomSampler({ seed: 2 }) });
    await study.optimize((t) => t.suggestFloat("x", 0, 10), { nTrials: 20 });
    const values = study.trials.map((t) => t.value as number);
    expect(study.bestValue).toBe(Math.max(...values));
    expect(study.bestParams.x).toBe(study.bestValue);
  });

  it("has no best trial until one completes", async () => {
    const study = await createStudy();
    expect(() => study.bestTrial).toThrow(/no COMPLETE trial/);
    await study.optimize(
      () => {
        throw new Error("x");
      },
      { nTrials: 2 },
    );
    expect(() => study.bestValue).toThrow(/no COMPLETE trial/);
  });

  it("runs enqueued trials first with the given values, and fails one whose value is out of range", async () => {
    const study = await createStudy({ sampler: new TPESampler({ seed: 3 }) });
    await study.enqueueTrial({ x: 0.25, kind: "b" });
    await study.enqueueTrial({ x: 7 });
    expect(study.trials.map((t) => t.state)).toEqual(["WAITING", "WAITING"]);
    await study.optimize((t) => t.suggestFloat("x", 0, 1) + (t.suggestCategorical("kind", ["a", "b"]) === "a" ? 0 : 1), { nTrials: 3 });
    const [a, b, c] = study.trials;
    expect(a!.params).toEqual({ x: 0.25, kind: "b" });
    expect(a!.state).toBe("COMPLETE");
    expect(b!.state).toBe("FAIL");
    expect(String(b!.systemAttrs.fail_reason)).toMatch(/enqueued value 7 of 'x' is outside float \[0, 1\]/);
    expect(c!.state).toBe("COMPLETE");
    expect(study.trials).toHaveLength(3);
  });

  it("stores user attributes and intermediate values", async () => {
    const study = await createStudy({ sampler: new RandomSampler({ seed: 4 }) });
    await study.optimize(
      (t) => {
        t.setUserAttr("fold", 3);
        t.report(2, 0);
        t.report(1, 1);
        t.report(5, 1);
        return 1;
      },
      { nTrials: 1 },
    );
    expect(study.trials[0]!.userAttrs).toEqual({ fold: 3 });
    expect(study.trials[0]!.intermediateValues).toEqual({ 0: 2, 1: 1 });
  });

  it("runs `concurrency` trials at once and never more", async () => {
    const study = await createStudy({ sampler: new RandomSampler({ seed: 5 }) });
    let inFlight = 0;
    let peak = 0;
    await study.optimize(
      async (t) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 2));
        inFlight--;
        return t.suggestFloat("x", 0, 1);
      },
      { nTrials: 12, concurrency: 3 },
    );
    expect(peak).toBe(3);
    expect(study.trials.map((t) => t.number)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(study.trials.every((t) => t.state === "COMPLETE")).toBe(true);
  });

  it("stops starting trials once aborted", async () => {
    const study = await createStudy({ sampler: new RandomSampler({ seed: 6 }) });
    const ctrl = new AbortController();
    await study.optimize(
      (t) => {
        if (t.number === 4) ctrl.abort();
        return t.suggestFloat("x", 0, 1);
      },
      { nTrials: 100, signal: ctrl.signal },
    );
    expect(study.trials).toHaveLength(5);
  });

  it("rejects bad optimize options", async () => {
    const study = await createStudy();
    await expect(study.optimize(() => 1, {})).rejects.toThrow(/needs nTrials, timeoutMs or a signal/);
    await expect(study.optimize(() => 1, { nTrials: 1, concurrency: 0 })).rejects.toThrow(/concurrency/);
    await expect(createStudy({ direction: "up" as never })).rejects.toThrow(/direction must be/);
  });

  it("prunes through trial.shouldPrune() with the median pruner", async () => {
    const study = await createStudy({ sampler: new RandomSampler({ seed: 7 }), pruner: new MedianPruner({ nStartupTrials: 3 }) });
    await study.optimize(
      async (t) => {
        // Trials 0-2 have good curves; later ones are worse and must be stopped at their first report.
        const offset = t.number < 3 ? 0 : 10;
        for (let step = 0; step < 5; step++) {
          t.report(offset + 5 - step, step);
          if (await t.shouldPrune()) throw new TrialPruned();
        }
        return offset;
      },
      { nTrials: 6 },
    );
    expect(study.trials.map((t) => t.state)).toEqual(["COMPLETE", "COMPLETE", "COMPLETE", "PRUNED", "PRUNED", "PRUNED"]);
    expect(study.trials.slice(3).every((t) => Object.keys(t.intermediateValues).length === 1)).toBe(true);
  });

  it("opens an existing study by name on shared storage, and supports ask/tell", async () => {
    const storage = new InMemoryStorage();
    const a = await createStudy({ storage, studyName: "shared", sampler: new RandomSampler({ seed: 8 }) });
    const trial = await a.ask();
    const x = trial.suggestFloat("x", 0, 1);
    await a.tell(trial, { state: "COMPLETE", value: x });
    const b = await createStudy({ storage, studyName: "shared", loadIfExists: true });
    expect(b.id).toBe(a.id);
    expect(b.trials.map((t) => [t.number, t.state, t.value])).toEqual([[0, "COMPLETE", x]]);
    await expect(createStudy({ storage, studyName: "shared" })).rejects.toMatchObject({ code: "conflict" });
    await expect(createStudy({ storage, studyName: "shared", loadIfExists: true, direction: "maximize" })).rejects.toThrow(/direction minimize/);
  });
});
