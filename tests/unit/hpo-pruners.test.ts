import { describe, expect, it } from "vitest";
import { MedianPruner, NopPruner, SuccessiveHalvingPruner, type Direction, type FrozenTrial, type Pruner, type TrialState } from "@/lib/hpo";

let nextNumber = 0;
function trial(values: number[] | Record<number, number>, state: TrialState = "COMPLETE"): FrozenTrial {
  const intermediateValues = Array.isArray(values) ? Object.fromEntries(values.map((v, s) => [s, v])) : values;
  const n = nextNumber++;
  return {
    id: `t${n}`,
    number: n,
    state,
    value: null,
    params: {},
    distributions: {},
    intermediateValues,
    userAttrs: {},
    systemAttrs: {},
    startedAt: null,
    completedAt: null,
  };
}

const view = (trials: FrozenTrial[], direction: Direction = "minimize") => ({ direction, trials });

describe("MedianPruner", () => {
  // Five finished learning curves: at step s the values are 10-s, 11-s, 12-s, 13-s, 14-s (median 12-s).
  const finished = () => Array.from({ length: 5 }, (_, i) => trial([10, 9, 8, 7].map((v) => v + i)));

  it("prunes a trial whose best value so far is worse than the median at its step", () => {
    const others = finished();
    const bad = trial([20], "RUNNING");
    const good = trial([11], "RUNNING");
    const p = new MedianPruner();
    expect(p.prune(view([...others, bad]), bad)).toBe(true);
    expect(p.prune(view([...others, good]), good)).toBe(false);
  });

  it("uses the best value so far, not the last one", () => {
    const others = finished();
    // Median at step 2 is 10; best so far is 1 although the last value (50) is bad.
    const t = trial([1, 40, 50], "RUNNING");
    expect(new MedianPruner().prune(view([...others, t]), t)).toBe(false);
    const worse = trial([30, 40, 50], "RUNNING");
    expect(new MedianPruner().prune(view([...others, worse]), worse)).toBe(true);
  });

  it("does nothing before nStartupTrials trials completed, or during warm-up steps", () => {
    const others = finished();
    const bad = trial([99, 99, 99], "RUNNING");
    expect(new MedianPruner().prune(view([...others.slice(0, 4), bad]), bad)).toBe(false);
    expect(new MedianPruner({ nStartupTrials: 4 }).prune(view([...others.slice(0, 4), bad]), bad)).toBe(true);
    expect(new MedianPruner({ nWarmupSteps: 3 }).prune(view([...others, bad]), bad)).toBe(false);
    const longer = trial([99, 99, 99, 99], "RUNNING");
    expect(new MedianPruner({ nWarmupSteps: 3 }).prune(view([...others, longer]), longer)).toBe(true);
  });

  it("only counts COMPLETE trials, and checks once per interval", () => {
    const pruned = Array.from({ length: 5 }, () => trial([0, 0, 0], "PRUNED"));
    const t = trial([5], "RUNNING");
    expect(new MedianPruner().prune(view([...pruned, t]), t)).toBe(false);
    const others = finished();
    const bad = trial([99, 99], "RUNNING");
    // With intervalSteps 2 the check happens at steps 0, 2, 4…: step 1 is not checked.
    expect(new MedianPruner({ intervalSteps: 2 }).prune(view([...others, bad]), bad)).toBe(false);
    expect(new MedianPruner({ intervalSteps: 1 }).prune(view([...others, bad]), bad)).toBe(true);
  });

  it("flips comparisons when maximising, and prunes a trial that reported only NaN", () => {
    const others = Array.from({ length: 5 }, (_, i) => trial([0.5 + i / 10]));
    const low = trial([0.2], "RUNNING");
    const high = trial([0.95], "RUNNING");
    expect(new MedianPruner().prune(view([...others, low], "maximize"), low)).toBe(true);
    expect(new MedianPruner().prune(view([...others, high], "maximize"), high)).toBe(false);
    const nan = trial([NaN], "RUNNING");
    expect(new MedianPruner().prune(view([...others, nan]), nan)).toBe(true);
  });

  it("rejects bad options", () => {
    expect(() => new MedianPruner({ intervalSteps: 0 })).toThrow(/intervalSteps/);
    expect(() => new MedianPruner({ nWarmupSteps: -1 })).toThrow(/nWarmupSteps/);
  });
});

describe("SuccessiveHalvingPruner", () => {
  // minResource 1, η = 4: rungs at steps 1, 4, 16, …
  const sha = () => new SuccessiveHalvingPruner({ minResource: 1, reductionFactor: 4 });

  it("never prunes before the first rung", () => {
    const t = trial([100], "RUNNING");
    expect(sha().prune(view([trial([0, 0, 0, 0, 0]), t]), t)).toBe(false);
  });

  it("lets the first trial through and, among the first η−1, only the best", () => {
    const first = trial([5, 5], "RUNNING");
    expect(sha().prune(view([first]), first)).toBe(false);
    const other = trial([5, 3]);
    const worse = trial([5, 4], "RUNNING");
    const better = trial([5, 2], "RUNNING");
    expect(sha().prune(view([other, worse]), worse)).toBe(true);
    expect(sha().prune(view([other, better]), better)).toBe(false);
  });

  it("keeps the top 1/η at a rung once there are enough trials", () => {
    // Seven trials reached rung 0 (step 1) with values 1..7; with the new one there are 8 → keep the best 2.
    const others = Array.from({ length: 7 }, (_, i) => trial([0, i + 1], i % 2 ? "PRUNED" : "COMPLETE"));
    const second = trial([0, 1.5], "RUNNING");
    const third = trial([0, 2.5], "RUNNING");
    expect(sha().prune(view([...others, second]), second)).toBe(false);
    expect(sha().prune(view([...others, third]), third)).toBe(true);
  });

  it("decides at the report that crosses a rung, not at the reports after it", () => {
    const others = Array.from({ length: 7 }, (_, i) => trial([0, i + 1, i + 1, i + 1, i + 1]));
    // Survived rung 0 at step 1 (value 1.5); at steps 2 and 3 nothing is decided, at step 4 rung 1 is checked.
    const t2 = trial([0, 1.5, 50], "RUNNING");
    expect(sha().prune(view([...others, t2]), t2)).toBe(false);
    const t4 = trial([0, 1.5, 50, 50, 50], "RUNNING");
    expect(sha().prune(view([...others, t4]), t4)).toBe(true);
  });

  it("maximises too, and estimates minResource from COMPLETE trials when 'auto'", () => {
    const others = Array.from({ length: 7 }, (_, i) => trial([0, i + 1]));
    const best = trial([0, 7.5], "RUNNING");
    const worst = trial([0, 0.5], "RUNNING");
    expect(sha().prune(view([...others, best], "maximize"), best)).toBe(false);
    expect(sha().prune(view([...others, worst], "maximize"), worst)).toBe(true);
    const auto = new SuccessiveHalvingPruner();
    expect(auto.prune(view([worst]), worst)).toBe(false);
    // A COMPLETE trial with 200 steps → minResource 2: the first rung is at step 2.
    const long = trial(Object.fromEntries(Array.from({ length: 201 }, (_, s) => [s, 0])));
    const t = trial([9, 9], "RUNNING");
    expect(auto.prune(view([long, t]), t)).toBe(false);
    const t2 = trial([9, 9, 9], "RUNNING");
    expect(auto.prune(view([long, t2]), t2)).toBe(true);
  });
});

describe("NopPruner", () => {
  it("never prunes", () => {
    const others = Array.from({ length: 10 }, () => trial([0, 0, 0]));
    const t = trial([1e9, 1e9, 1e9], "RUNNING");
    const p: Pruner = new NopPruner();
    expect(p.prune(view([...others, t]), t)).toBe(false);
    // The same situation is pruned by the median pruner, so the case is a real one.
    expect(new MedianPruner().prune(view([...others, t]), t)).toBe(true);
  });
});
