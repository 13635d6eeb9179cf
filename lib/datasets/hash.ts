// Small non-cryptographic hashing for bounded-memory counting: a 64-bit string hash (two 32-bit
// halves), HyperLogLog for distinct counts and a sampled hash set for duplicate rows.

/** Results of the last hashString call (module state avoids an allocation per cell). */
export let hashHi = 0;
export let hashLo = 0;

/** cyrb53-style: two independent 32-bit multiplicative hashes over UTF-16 code units. */
export function hashString(s: string, seed = 0): void {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  hashHi = h2 >>> 0;
  hashLo = h1 >>> 0;
}

/** Folds one field's hash into a running row hash (order-sensitive). */
export class RowHasher {
  a = 0x9e3779b9;
  b = 0x85ebca6b;
  reset(): void {
    this.a = 0x9e3779b9;
    this.b = 0x85ebca6b;
  }
  add(hi: number, lo: number): void {
    let a = Math.imul(this.a ^ lo, 0xcc9e2d51);
    a = (a << 15) | (a >>> 17);
    this.a = Math.imul(a, 0x1b873593) + 0xe6546b64;
    let b = Math.imul(this.b ^ hi, 0x85ebca6b);
    b = (b << 13) | (b >>> 19);
    this.b = Math.imul(b, 0xc2b2ae35) + 0x27d4eb2f;
  }
  /** 53 bits as a double, so it fits a Float64Array slot exactly. */
  value(): number {
    let a = this.a ^ (this.b >>> 15);
    a = Math.imul(a, 0x2c1b3c6d);
    a ^= a >>> 12;
    return (this.b & 0x1fffff) * 0x100000000 + (a >>> 0);
  }
}

const HLL_P = 11;
const HLL_M = 1 << HLL_P;

/** HyperLogLog with 2^11 registers (about 2.3% standard error, 2 KiB). */
export class HyperLogLog {
  private readonly reg = new Uint8Array(HLL_M);
  add(hi: number, lo: number): void {
    const idx = hi >>> (32 - HLL_P);
    const rank = lo === 0 ? 33 : Math.clz32(lo) + 1;
    if (rank > this.reg[idx]!) this.reg[idx] = rank;
  }
  estimate(): number {
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < HLL_M; i++) {
      const r = this.reg[i]!;
      sum += 2 ** -r;
      if (r === 0) zeros++;
    }
    const alpha = 0.7213 / (1 + 1.079 / HLL_M);
    const e = (alpha * HLL_M * HLL_M) / sum;
    // Small-range correction (linear counting), as in the original paper.
    if (e <= 2.5 * HLL_M && zeros > 0) return Math.round(HLL_M * Math.log(HLL_M / zeros));
    return Math.round(e);
  }
}

/**
 * Counts rows seen before (duplicates) by their 53-bit hash, exactly while the distinct hashes fit
 * in `maxSlots`; past that it keeps only hashes whose low `level` bits are zero. Duplicates share
 * their hash, so a row and all its copies are kept or dropped together and the count of the kept
 * part times 2^level estimates the total.
 */
export class DuplicateCounter {
  private keys: Float64Array;
  private counts: Uint32Array;
  private size = 0;
  private level = 0;
  private mask = 0;

  constructor(private readonly maxSlots = 1 << 22) {
    this.keys = new Float64Array(1 << 12);
    this.counts = new Uint32Array(1 << 12);
  }

  get exact(): boolean {
    return this.level === 0;
  }

  add(h: number): void {
    if (((h >>> 0) & this.mask) !== 0) return;
    const key = h + 1; // 0 marks an empty slot
    const cap = this.keys.length;
    let i = this.slot(h, cap);
    for (;;) {
      const k = this.keys[i]!;
      if (k === 0) break;
      if (k === key) {
        this.counts[i]!++;
        return;
      }
      i = (i + 1) & (cap - 1);
    }
    this.keys[i] = key;
    this.counts[i] = 1;
    this.size++;
    if (this.size > cap * 0.7) this.grow();
  }

  /** Rows that repeat an earlier row (pandas' duplicated().sum()); estimated when not exact. */
  duplicates(): number {
    let d = 0;
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] !== 0) d += this.counts[i]! - 1;
    return d * 2 ** this.level;
  }

  private slot(h: number, cap: number): number {
    // High bits pick the slot; the low bits are used for sampling and would cluster.
    return Math.floor(h / 0x200000) & (cap - 1);
  }

  private grow(): void {
    const old = this.keys;
    const oldCounts = this.counts;
    let cap = old.length;
    if (cap < this.maxSlots) cap *= 2;
    else {
      this.level++;
      this.mask = (1 << this.level) - 1;
    }
    this.keys = new Float64Array(cap);
    this.counts = new Uint32Array(cap);
    this.size = 0;
    for (let j = 0; j < old.length; j++) {
      const key = old[j]!;
      if (key === 0) continue;
      const h = key - 1;
      if (((h >>> 0) & this.mask) !== 0) continue;
      let i = this.slot(h, cap);
      while (this.keys[i] !== 0) i = (i + 1) & (cap - 1);
      this.keys[i] = key;
      this.counts[i] = oldCounts[j]!;
      this.size++;
    }
    if (this.size > cap * 0.7) this.grow();
  }
}
