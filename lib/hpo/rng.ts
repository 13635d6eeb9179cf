// Seeded random numbers. Every random draw of a sampler comes from a generator derived from
// (seed, trial number, purpose), so a sampler keeps no state between calls, the same seed replays the
// same trials, and two workers sampling different trial numbers of one study never draw the same points.

/** 32-bit string/number hash (murmur3 finaliser over FNV-style mixing), stable across runs. */
function mix32(h: number, v: number): number {
  h = Math.imul(h ^ v, 0x5bd1e995);
  h ^= h >>> 15;
  return Math.imul(h, 0x27d4eb2d) >>> 0;
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hashParts(lane: number, parts: readonly (number | string)[]): number {
  let h = fmix32(0x9e3779b9 + lane * 0x632be5ab);
  for (const p of parts) {
    if (typeof p === "number") {
      // Split the number into two 32-bit words so seeds above 2^32 still differ.
      const hi = Math.floor(p / 4294967296);
      h = mix32(h, p >>> 0);
      h = mix32(h, hi >>> 0);
      h = mix32(h, 0x6e756d);
    } else {
      for (let i = 0; i < p.length; i++) h = mix32(h, p.charCodeAt(i));
      h = mix32(h, p.length ^ 0x737472);
    }
  }
  return fmix32(h);
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** A generator determined by the given parts, e.g. `new Rng(seed, trialNumber, "x")`. */
  constructor(...parts: (number | string)[]) {
    this.a = hashParts(1, parts);
    this.b = hashParts(2, parts);
    this.c = hashParts(3, parts);
    this.d = hashParts(4, parts) | 1;
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** sfc32: small, fast, passes PractRand for the sizes we need. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  random(): number {
    return ((this.u32() >>> 5) * 67108864 + (this.u32() >>> 6)) / 9007199254740992;
  }

  /** Uniform in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.random();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.random() * n);
  }

  /** Index drawn with probability proportional to `weights` (non-negative, not all zero). */
  choice(weights: ArrayLike<number>): number {
    let total = 0;
    for (let i = 0; i < weights.length; i++) total += weights[i]!;
    let u = this.random() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i]!;
      if (u < 0) return i;
    }
    // Rounding can leave u at ~0 after the loop: take the last index with weight.
    for (let i = weights.length - 1; i >= 0; i--) if (weights[i]! > 0) return i;
    return weights.length - 1;
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.random());
  }
}

/** A fresh random seed for samplers created without one. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}
