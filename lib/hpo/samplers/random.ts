import type { Distribution, ParamValue } from "../distributions";
import { roundToDistribution } from "../distributions";
import { Rng, randomSeed } from "../rng";
import type { FrozenTrial, StudyView } from "../types";
import type { Sampler } from "./types";

/** Uniform draw in the distribution's own scale (log for log ranges; ±half a step around grids, like Optuna). */
export function sampleUniform(rng: Rng, d: Distribution): ParamValue {
  if (d.type === "categorical") return d.choices[rng.int(d.choices.length)] as ParamValue;
  const half = d.step !== null ? d.step / 2 : 0;
  let low = d.low - half;
  let high = d.high + half;
  if (d.log) {
    low = Math.log(low);
    high = Math.log(high);
  }
  let v = rng.uniform(low, high);
  if (d.log) v = Math.exp(v);
  return roundToDistribution(d, v);
}

export interface RandomSamplerOptions {
  seed?: number;
}

/** Independent uniform sampling. Each draw depends only on (seed, trial number, parameter name). */
export class RandomSampler implements Sampler {
  readonly name = "random";
  readonly seed: number;

  constructor(opts: RandomSamplerOptions = {}) {
    this.seed = opts.seed ?? randomSeed();
  }

  sampleIndependent(_study: StudyView, trial: FrozenTrial, name: string, distribution: Distribution): ParamValue {
    return sampleUniform(new Rng(this.seed, trial.number, name), distribution);
  }
}
