import { describe, expect, it } from "vitest";
import {
  GridSampler,
  OPTUNA_TPE_DEFAULTS,
  RandomSampler,
  TPESampler,
  createStudy,
  type FrozenTrial,
  type Objective,
  type Sampler,
  type Trial,
  defaultWeights,
} from "@/lib/hpo";
import { ParzenEstimator } from "@/lib/hpo/samplers/parzen";

/** Trial numbers, states and params of a study run with a sampler. */
async function run(sampler: Sampler, objective: Objective, nTrials: number, direction: "minimize" | "maximize" = "minimize") {
  const study = await createStudy({ sampler, direction });
  await study.optimize(objective, { nTrials });
  return study;
}

function isOnGrid(v: number, low: number, step: number): boolean {
  const k = (v - low) / step;
  return Math.abs(k - Math.round(k)) < 1e-9;
}

/** A conditional mixed space; returns a loss and checks every value against its range as it goes. */
function mixedObjective(t: Trial): number {
  const kind = t.suggestCategorical("kind", ["linear", "tree"]);
  const scale = t.suggestFloat("scale", 0, 1, { step: 0.1 });
  expect(isOnGrid(scale, 0, 0.1)).toBe(true);
  expect(scale).toBeGreaterThanOrEqual(0);
  expect(scale).toBeLessThanOrEqual(1);
  if (kind === "linear") {
    const c = t.suggestFloat("c", 1e-4, 1e2, { log: true });
    expect(c).toBeGreaterThanOrEqual(1e-4);
    expect(c).toBeLessThanOrEqual(1e2);
    return (Math.log10(c) - 1) ** 2 + scale;
  }
  const depth = t.suggestInt("depth", 2, 12, { step: 2 });
  const leaves = t.suggestInt("leaves", 8, 1024, { log: true });
  expect(Number.isInteger(depth) && depth % 2 === 0 && depth >= 2 && depth <= 12).toBe(true);
  expect(Number.isInteger(leaves) && leaves >= 8 && leaves <= 1024).toBe(true);
  return 0.5 + Math.abs(depth - 6) / 10 + Math.abs(Math.log2(leaves) - 6) / 10 + scale;
}

const samplers: [string, (seed: number) => Sampler][] = [
  ["random", (seed) => new RandomSampler({ seed })],
  ["tpe (defaults: multivariate)", (seed) => new TPESampler({ seed })],
  ["tpe (independent)", (seed) => new TPESampler({ seed, multivariate: false })],
  ["tpe (multivariate, group)", (seed) => new TPESampler({ seed, group: true })],
  ["tpe (Optuna's defaults)", (seed) => new TPESampler({ ...OPTUNA_TPE_DEFAULTS, seed })],
  ["tpe (clip by all trials)", (seed) => new TPESampler({ seed, clipByAllTrials: true })],
  ["tpe (local steps from 10 finished trials)", (seed) => new TPESampler({ seed, localStepFrom: 10 })],
];

describe.each(samplers)("%s sampler", (_name, make) => {
  it("respects bounds, log scales, steps and conditional spaces", async () => {
    const study = await run(make(7), mixedObjective, 40);
    const states = study.trials.map((t) => t.state);
    expect(states.filter((s) => s === "COMPLETE")).toHaveLength(40);
    for (const t of study.trials) {
      const keys = Object.keys(t.params).sort();
      expect(keys).toEqual(t.params.kind === "linear" ? ["c", "kind", "scale"] : ["depth", "kind", "leaves", "scale"]);
    }
    // Both branches were explored.
    expect(new Set(study.trials.map((t) => t.params.kind)).size).toBe(2);
  });

  it("replays the same trials for the same seed", async () => {
    const a = await run(make(42), mixedObjective, 25);
    const b = await run(make(42), mixedObjective, 25);
    expect(b.trials.map((t) => t.params)).toEqual(a.trials.map((t) => t.params));
    const c = await run(make(43), mixedObjective, 25);
    expect(c.trials.map((t) => t.params)).not.toEqual(a.trials.map((t) => t.params));
  });
});

describe("startup points", () => {
  it("depend on the trial number, so workers sampling different trials of one study draw different points", () => {
    const view = { direction: "minimize" as const, trials: [] as FrozenTrial[] };
    const trial = (number: number): FrozenTrial => ({
      id: `t${number}`,
      number,
      state: "RUNNING",
      value: null,
      params: {},
      distributions: {},
      intermediateValues: {},
      userAttrs: {},
      systemAttrs: {},
      startedAt: null,
      completedAt: null,
    });
    const d = { type: "float", low: 0, high: 1, log: false, step: null } as const;
    for (const sampler of [new RandomSampler({ seed: 5 }), new TPESampler({ seed: 5 })]) {
      // Two workers with the same seed: same trial number → same point; different numbers → different points.
      const again = new TPESampler({ seed: 5 });
      const xs = Array.from({ length: 10 }, (_, n) => sampler.sampleIndependent(view, trial(n), "x", d));
      expect(new Set(xs).size).toBe(10);
      expect(sampler.sampleIndependent(view, trial(3), "x", d)).toBe(xs[3]);
      if (sampler instanceof TPESampler) expect(again.sampleIndependent(view, trial(3), "x", d)).toBe(xs[3]);
    }
  });

  it("differ between concurrently running trials of one study", async () => {
    const study = await createStudy({ sampler: new TPESampler({ seed: 9 }) });
    const seen: number[] = [];
    await study.optimize(
      async (t) => {
        const x = t.suggestFloat("x", -1, 1);
        seen.push(x);
        await new Promise((r) => setTimeout(r, 1));
        return x * x;
      },
      { nTrials: 8, concurrency: 4 },
    );
    expect(new Set(seen).size).toBe(8);
    expect(new Set(study.trials.map((t) => t.number)).size).toBe(8);
  });
});

describe("GridSampler", () => {
  it("visits every grid point exactly once, then the study stops", async () => {
    const sampler = new GridSampler({ x: [-1, 0, 1], k: ["a", "b"] }, { seed: 3 });
    const study = await run(sampler, (t) => t.suggestFloat("x", -1, 1) + (t.suggestCategorical("k", ["a", "b"]) === "a" ? 0 : 1), 50);
    expect(study.trials).toHaveLength(6);
    const points = study.trials.map((t) => `${t.params.x}/${t.params.k}`).sort();
    expect(points).toEqual(["-1/a", "-1/b", "0/a", "0/b", "1/a", "1/b"]);
    expect(study.bestValue).toBe(-1);
  });

  it("gives concurrent trials different points", async () => {
    const sampler = new GridSampler({ x: [1, 2, 3, 4] }, { seed: 1 });
    const study = await createStudy({ sampler });
    await study.optimize(
      async (t) => {
        const x = t.suggestInt("x", 1, 4);
        await new Promise((r) => setTimeout(r, 1));
        return x;
      },
      { nTrials: 4, concurrency: 4 },
    );
    expect(study.trials.map((t) => t.params.x).sort()).toEqual([1, 2, 3, 4]);
  });

  it("fails a trial that asks for a parameter outside the grid", async () => {
    const study = await run(new GridSampler({ x: [1, 2] }), (t) => t.suggestFloat("y", 0, 1), 1);
    expect(study.trials[0]!.state).toBe("FAIL");
    expect(String(study.trials[0]!.systemAttrs.fail_reason)).toMatch(/'y' is not in the grid/);
  });
});

describe("TPESampler", () => {
  const sphere = (t: Trial) => {
    let s = 0;
    for (let i = 0; i < 3; i++) s += (t.suggestFloat(`x${i}`, -5, 5) - 1) ** 2;
    return s;
  };
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2;
  };

  it("beats random search on a 3-D sphere (median best of 10 fixed seeds, 60 trials)", async () => {
    const tpe: number[] = [];
    const rnd: number[] = [];
    let tpeWins = 0;
    for (let seed = 0; seed < 10; seed++) {
      const a = (await run(new TPESampler({ seed }), sphere, 60)).bestValue;
      const b = (await run(new RandomSampler({ seed }), sphere, 60)).bestValue;
      tpe.push(a);
      rnd.push(b);
      if (a < b) tpeWins++;
    }
    expect(median(tpe)).toBeLessThan(median(rnd) / 2);
    // A sign test: 9 or more wins of 10 has probability ~1 % if TPE were no better than random.
    expect(tpeWins).toBeGreaterThanOrEqual(9);
  });

  it("maximises as well as minimises", async () => {
    const study = await run(new TPESampler({ seed: 2 }), (t) => -sphere(t), 60, "maximize");
    expect(study.bestValue).toBeGreaterThan(-1);
  });

  it("with constant liar, a trial that starts while others run avoids their points", async () => {
    // Ten finished trials, then a running trial sitting at the best point: the liar pushes the next one away.
    const liar = new TPESampler({ seed: 4, constantLiar: true, nStartupTrials: 10 });
    const honest = new TPESampler({ seed: 4, constantLiar: false, nStartupTrials: 10 });
    const base: FrozenTrial[] = Array.from({ length: 30 }, (_, n) => {
      const x = -1 + (2 * n) / 29;
      return {
        id: `t${n}`,
        number: n,
        state: "COMPLETE" as const,
        value: (x - 0.3) ** 2,
        params: { x },
        distributions: { x: { type: "float", low: -1, high: 1, log: false, step: null } },
        intermediateValues: {},
        userAttrs: {},
        systemAttrs: {},
        startedAt: null,
        completedAt: null,
      };
    });
    const running = Array.from({ length: 6 }, (_, k): FrozenTrial => ({ ...base[0]!, id: `r${k}`, number: 30 + k, state: "RUNNING", value: null, params: { x: 0.3 } }));
    const me: FrozenTrial = { ...base[0]!, id: "me", number: 36, state: "RUNNING", value: null, params: {} };
    const view = { direction: "minimize" as const, trials: [...base, ...running, me] };
    const d = base[0]!.distributions.x!;
    let liarDist = 0;
    let honestDist = 0;
    for (let k = 0; k < 20; k++) {
      const t = { ...me, number: 36 + k * 100 };
      liarDist += Math.abs((liar.sampleIndependent(view, t, "x", d) as number) - 0.3);
      honestDist += Math.abs((honest.sampleIndependent(view, t, "x", d) as number) - 0.3);
    }
    expect(liarDist).toBeGreaterThan(honestDist);
  });

  it("validates its options", () => {
    expect(() => new TPESampler({ group: true, multivariate: false })).toThrow(/group needs multivariate/);
    expect(() => new TPESampler({ nEiCandidates: 0 })).toThrow(/nEiCandidates/);
    expect(() => new TPESampler({ bandwidthFactorEnd: 0 })).toThrow(/bandwidthFactorEnd/);
    expect(() => new TPESampler({ bandwidthAnnealTrials: 0.5 })).toThrow(/bandwidthAnnealTrials/);
    expect(() => new TPESampler({ localStepEvery: -1 })).toThrow(/localStepEvery/);
    expect(() => new TPESampler({ localStepFrom: 1.5 })).toThrow(/localStepFrom/);
    expect(() => new TPESampler({ localStepScale: 0 })).toThrow(/localStepScale/);
  });

  it("makes every second trial after 40 finished a local step around the best trial, as wide as the good trials' spread", () => {
    // n finished trials on [0, 10] (log) with the best at x = 2; a step of width ~0 lands on the best point itself.
    const d = { type: "float", low: 0.01, high: 10, log: true, step: null } as const;
    const view = (n: number, number: number) => {
      const trials: FrozenTrial[] = Array.from({ length: n }, (_, k) => {
        const x = k === 17 ? 2 : 0.01 * 1000 ** ((Math.sin(k * 12.9898) + 1) / 2);
        return {
          id: `t${k}`, number: k, state: "COMPLETE" as const, value: Math.abs(Math.log(x / 2)), params: { x }, distributions: { x: d },
          intermediateValues: {}, userAttrs: {}, systemAttrs: {}, startedAt: null, completedAt: null,
        };
      });
      const me: FrozenTrial = { ...trials[0]!, id: "me", number, state: "RUNNING", value: null, params: {} };
      return [{ direction: "minimize" as const, trials: [...trials, me] }, me] as const;
    };
    const narrow = new TPESampler({ seed: 3, localStepScale: 1e-9 });
    const x = (s: TPESampler, n: number, number: number) => s.sampleIndependent(...view(n, number), "x", d) as number;
    expect(x(narrow, 40, 42)).toBeCloseTo(2, 6);
    expect(x(narrow, 40, 43)).not.toBeCloseTo(2, 6);
    expect(x(narrow, 39, 42)).not.toBeCloseTo(2, 6);
    expect(x(new TPESampler({ seed: 3, localStepScale: 1e-9, localStepEvery: 0 }), 40, 42)).not.toBeCloseTo(2, 6);
    // At the default width the steps spread around the best point, inside the range, on the log scale.
    const steps = Array.from({ length: 50 }, (_, k) => x(new TPESampler({ seed: k }), 60, 60));
    for (const v of steps) expect(v >= 0.01 && v <= 10).toBe(true);
    const logs = steps.map((v) => Math.log(v / 2));
    expect(Math.abs(logs.reduce((a, b) => a + b, 0) / logs.length)).toBeLessThan(0.5);
    expect(new Set(steps).size).toBe(50);
  });

  it("anneals the kernel width factor from its start to its end value over the finished trials", () => {
    // n finished trials on [-1, 1] around 0.3; the same seed draws the same candidates, so two samplers
    // agree exactly when their width factors are equal at that n.
    const d = { type: "float", low: -1, high: 1, log: false, step: null } as const;
    const view = (n: number) => {
      const trials: FrozenTrial[] = Array.from({ length: n }, (_, k) => {
        const x = Math.sin(k * 12.9898) * 0.999;
        return {
          id: `t${k}`, number: k, state: "COMPLETE" as const, value: (x - 0.3) ** 2, params: { x }, distributions: { x: d },
          intermediateValues: {}, userAttrs: {}, systemAttrs: {}, startedAt: null, completedAt: null,
        };
      });
      const me: FrozenTrial = { ...trials[0]!, id: "me", number: n, state: "RUNNING", value: null, params: {} };
      return { view: { direction: "minimize" as const, trials: [...trials, me] }, me };
    };
    const annealed = new TPESampler({ seed: 7, bandwidthFactor: 1, bandwidthFactorEnd: 0.5, bandwidthAnnealTrials: 100 });
    const fixed = (f: number) => new TPESampler({ seed: 7, bandwidthFactor: f, bandwidthFactorEnd: null });
    const x = (s: TPESampler, n: number) => {
      const { view: v, me } = view(n);
      return s.sampleIndependent(v, me, "x", d);
    };
    // At the end of the startup trials the start value, halfway the mean, after the anneal the end value.
    expect(x(annealed, 10)).toBe(x(fixed(1), 10));
    expect(x(annealed, 55)).toBe(x(fixed(0.75), 55));
    expect(x(annealed, 140)).toBe(x(fixed(0.5), 140));
    expect(x(annealed, 55)).not.toBe(x(fixed(1), 55));
  });
});

describe("TPE kernel widths", () => {
  const unit = { type: "float", low: 0, high: 1, log: false, step: null } as const;
  const opts = { priorWeight: 0, considerMagicClip: true, considerEndpoints: false, weights: defaultWeights };

  it("the magic clip's floor can count every observed trial, which allows narrower kernels", () => {
    // Two observations 0.02 apart: their own floor is range / 4, a floor over 98 trials is range / 100.
    const obs = [[0.5, 0.52]];
    const own = new ParzenEstimator(obs, [unit], opts);
    const all = new ParzenEstimator(obs, [unit], { ...opts, clipCount: 98 });
    const [atOwn] = own.logPdf([[0.51]]);
    const [atAll] = all.logPdf([[0.51]]);
    expect(atAll! - atOwn!).toBeGreaterThan(Math.log(5));
  });
});
