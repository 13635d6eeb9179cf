import { invalid } from "@/lib/errors";
import type { Distribution, ParamValue } from "../distributions";
import { contains } from "../distributions";
import { Rng, randomSeed } from "../rng";
import type { FrozenTrial, StudyView } from "../types";
import type { Sampler } from "./types";

export interface GridSamplerOptions {
  seed?: number;
}

/**
 * Visits every combination of the given values once, in a seeded random order. The grid point of a
 * trial is derived from the points other trials already hold, so no state is kept; trials started at
 * the same moment take different unvisited points because they have different numbers.
 */
export class GridSampler implements Sampler {
  readonly name = "grid";
  readonly seed: number;
  private readonly names: string[];
  private readonly values: ParamValue[][];
  private readonly size: number;
  private readonly order: number[];

  constructor(searchSpace: Record<string, readonly ParamValue[]>, opts: GridSamplerOptions = {}) {
    this.seed = opts.seed ?? randomSeed();
    this.names = Object.keys(searchSpace).sort();
    if (this.names.length === 0) throw invalid("the grid needs at least one parameter");
    this.values = this.names.map((n) => {
      const vs = searchSpace[n]!;
      if (!Array.isArray(vs) || vs.length === 0) throw invalid(`grid values for '${n}' must be a non-empty array`);
      return [...vs];
    });
    this.size = this.values.reduce((p, vs) => p * vs.length, 1);
    if (!Number.isSafeInteger(this.size) || this.size > 10_000_000) throw invalid(`the grid has too many points (${this.size})`);
    const rng = new Rng(this.seed, "grid-order");
    this.order = Array.from({ length: this.size }, (_, i) => i);
    for (let i = this.size - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [this.order[i], this.order[j]] = [this.order[j]!, this.order[i]!];
    }
  }

  get gridSize(): number {
    return this.size;
  }

  sampleIndependent(study: StudyView, trial: FrozenTrial, name: string, distribution: Distribution): ParamValue {
    const k = this.names.indexOf(name);
    if (k < 0) throw invalid(`parameter '${name}' is not in the grid (${this.names.join(", ")})`);
    const point = this.pointOf(this.gridIdFor(study, trial));
    const v = point[k] as ParamValue;
    if (!contains(distribution, v)) throw invalid(`grid value ${JSON.stringify(v)} of '${name}' is outside its distribution`);
    return v;
  }

  isExhausted(study: StudyView): boolean {
    return this.visited(study, -1).size >= this.size;
  }

  private gridIdFor(study: StudyView, trial: FrozenTrial): number {
    const visited = this.visited(study, trial.number);
    const unvisited = this.order.filter((id) => !visited.has(id));
    // Once everything is visited (more trials than points), start over in the same order.
    const pool = unvisited.length > 0 ? unvisited : this.order;
    // Concurrent trials see the same visited set, so spread them by their number.
    const running = study.trials.filter((t) => t.state === "RUNNING" && t.number < trial.number && this.idOf(t.params) === null).length;
    return pool[running % pool.length]!;
  }

  /** Grid ids held by trials other than `exceptNumber` (finished or running). */
  private visited(study: StudyView, exceptNumber: number): Set<number> {
    const ids = new Set<number>();
    for (const t of study.trials) {
      if (t.number === exceptNumber || t.state === "WAITING") continue;
      const id = this.idOf(t.params);
      if (id !== null) ids.add(id);
    }
    return ids;
  }

  /** The grid id whose values match the trial's params, or null when it holds no (complete) grid point. */
  private idOf(params: Readonly<Record<string, ParamValue>>): number | null {
    let id = 0;
    for (let k = 0; k < this.names.length; k++) {
      const n = this.names[k]!;
      const vs = this.values[k]!;
      if (!(n in params)) return null;
      const i = vs.findIndex((v) => v === params[n]);
      if (i < 0) return null;
      id = id * vs.length + i;
    }
    return id;
  }

  private pointOf(id: number): ParamValue[] {
    const out: ParamValue[] = new Array(this.names.length);
    for (let k = this.names.length - 1; k >= 0; k--) {
      const n = this.values[k]!.length;
      out[k] = this.values[k]![id % n]!;
      id = Math.floor(id / n);
    }
    return out;
  }
}
