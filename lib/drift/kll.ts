// KLL quantile sketch (Karnin, Lang, Liberty 2016) over float64, with sorted levels held in
// typed arrays. Level h holds values of weight 2^h; when the sketch outgrows its capacity the
// lowest full level is compacted: sorted, every other value (random offset) promoted.
//
// Error bound: a compaction of a sorted level of weight w changes any rank by −w, 0 or +w, so the
// sum of w over all compactions (`errorBound`) bounds the rank error of every query, deterministically.
// Typical errors are far smaller (signs are random): `errorStd` = √Σw² is their standard deviation.
// Whole sorted batches are accepted at once (a 10⁶-row column is one batch), which needs far fewer
// compactions than value-by-value updates and so keeps the bound near 1/k of the row count.

export interface KllState {
  k: number;
  n: number;
  min: number;
  max: number;
  /** Σ weights of compactions: the worst-case rank error, in rows. */
  error_bound: number;
  /** Σ weights² of compactions: the variance of the rank error, in rows². */
  error_var: number;
  /** levels[h] is sorted ascending; each value stands for 2^h rows. */
  levels: number[][];
}

export const DEFAULT_SKETCH_K = 2048;
const MIN_LEVEL_CAPACITY = 8;

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mergeSorted(a: Float64Array, b: Float64Array): Float64Array {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i]! <= b[j]! ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}

export class KllSketch {
  readonly k: number;
  private levels: Float64Array[] = [new Float64Array(0)];
  private count = 0;
  private lo = Infinity;
  private hi = -Infinity;
  private errSum = 0;
  private errVar = 0;
  private readonly random: () => number;

  constructor(k = DEFAULT_SKETCH_K, seed = 0x5eed) {
    if (!Number.isInteger(k) || k < 8) throw new RangeError("KLL k must be an integer of at least 8");
    this.k = k;
    this.random = mulberry32(seed);
  }

  get n(): number {
    return this.count;
  }
  get min(): number {
    return this.lo;
  }
  get max(): number {
    return this.hi;
  }
  /** Worst-case rank error as a fraction of n. */
  get rankErrorBound(): number {
    return this.count === 0 ? 0 : this.errSum / this.count;
  }
  /** Standard deviation of the rank error as a fraction of n. */
  get rankErrorStd(): number {
    return this.count === 0 ? 0 : Math.sqrt(this.errVar) / this.count;
  }
  /** Number of values retained. */
  get size(): number {
    let s = 0;
    for (const l of this.levels) s += l.length;
    return s;
  }

  private capacity(h: number): number {
    const depth = this.levels.length - 1 - h;
    return Math.max(MIN_LEVEL_CAPACITY, Math.floor(this.k * (2 / 3) ** depth));
  }

  private totalCapacity(): number {
    let c = 0;
    for (let h = 0; h < this.levels.length; h++) c += this.capacity(h);
    return c;
  }

  /** Adds an ascending batch of finite values (the caller sorts; the batch is not kept). */
  addSorted(batch: Float64Array): void {
    if (batch.length === 0) return;
    this.count += batch.length;
    if (batch[0]! < this.lo) this.lo = batch[0]!;
    if (batch[batch.length - 1]! > this.hi) this.hi = batch[batch.length - 1]!;
    this.levels[0] = mergeSorted(this.levels[0]!, batch.slice());
    this.compress();
  }

  /** Folds another sketch into this one (profiles built in parts, windows merged). */
  merge(other: KllSketch): void {
    if (other.count === 0) return;
    while (this.levels.length < other.levels.length) this.levels.push(new Float64Array(0));
    for (let h = 0; h < other.levels.length; h++) this.levels[h] = mergeSorted(this.levels[h]!, other.levels[h]!.slice());
    this.count += other.count;
    this.lo = Math.min(this.lo, other.lo);
    this.hi = Math.max(this.hi, other.hi);
    this.errSum += other.errSum;
    this.errVar += other.errVar;
    this.compress();
  }

  private compress(): void {
    for (;;) {
      let size = 0;
      for (const l of this.levels) size += l.length;
      if (size <= this.totalCapacity()) return;
      let h = 0;
      while (h < this.levels.length && this.levels[h]!.length < this.capacity(h)) h++;
      if (h === this.levels.length) return;
      if (h === this.levels.length - 1) this.levels.push(new Float64Array(0));
      const level = this.levels[h]!;
      // An odd value out stays at its level; the even rest is halved.
      const keep = level.length % 2;
      const offset = this.random() < 0.5 ? 0 : 1;
      const half = (level.length - keep) >> 1;
      const promoted = new Float64Array(half);
      for (let i = 0; i < half; i++) promoted[i] = level[keep + 2 * i + offset]!;
      this.levels[h] = keep ? level.slice(0, 1) : new Float64Array(0);
      this.levels[h + 1] = mergeSorted(this.levels[h + 1]!, promoted);
      const w = 2 ** h;
      this.errSum += w;
      this.errVar += w * w;
    }
  }

  /** The sketch as a sorted weighted sample (values ascending, cumulative weights). */
  toSorted(): { values: Float64Array; cum: Float64Array } {
    const size = this.size;
    const values = new Float64Array(size);
    const weights = new Float64Array(size);
    // k-way merge of the sorted levels; there are few levels, so a linear scan for the minimum is fine.
    const pos = new Int32Array(this.levels.length);
    for (let out = 0; out < size; out++) {
      let best = -1;
      let bv = Infinity;
      for (let h = 0; h < this.levels.length; h++) {
        const l = this.levels[h]!;
        if (pos[h]! < l.length && (best < 0 || l[pos[h]!]! < bv)) {
          best = h;
          bv = l[pos[h]!]!;
        }
      }
      values[out] = bv;
      weights[out] = 2 ** best;
      pos[best]!++;
    }
    const cum = weights;
    for (let i = 1; i < size; i++) cum[i] = cum[i - 1]! + cum[i]!;
    return { values, cum };
  }

  toJSON(): KllState {
    return {
      k: this.k,
      n: this.count,
      min: this.lo,
      max: this.hi,
      error_bound: this.errSum,
      error_var: this.errVar,
      levels: this.levels.map((l) => Array.from(l)),
    };
  }

  static fromJSON(state: KllState, seed = 0x5eed): KllSketch {
    const s = new KllSketch(state.k, seed ^ state.n);
    s.levels = state.levels.map((l) => Float64Array.from(l));
    if (s.levels.length === 0) s.levels.push(new Float64Array(0));
    s.count = state.n;
    s.lo = state.min;
    s.hi = state.max;
    s.errSum = state.error_bound;
    s.errVar = state.error_var;
    return s;
  }
}
