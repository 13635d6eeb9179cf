// HyperLogLog distinct-count estimate (Flajolet et al. 2007, with linear counting for small
// cardinalities): 2^12 one-byte registers, standard error ≈ 1.04/√4096 ≈ 1.6%. Mergeable, so a
// profile built in parts keeps one estimate.

const P = 12;
const M = 1 << P;
const ALPHA = 0.7213 / (1 + 1.079 / M);

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

export class HyperLogLog {
  readonly registers = new Uint8Array(M);

  private addHash(h: number): void {
    const idx = h >>> (32 - P);
    const rest = (h << P) >>> 0;
    const rank = rest === 0 ? 32 - P + 1 : Math.clz32(rest) + 1;
    if (rank > this.registers[idx]!) this.registers[idx] = rank;
  }

  addNumber(x: number): void {
    // +0 and −0 are one value.
    f64[0] = x === 0 ? 0 : x;
    this.addHash(fmix32(Math.imul(u32[0]!, 0x9e3779b1) ^ fmix32(u32[1]! + 0x7f4a7c15)));
  }

  addString(s: string): void {
    let h = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    this.addHash(fmix32(h ^ s.length));
  }

  merge(other: HyperLogLog): void {
    for (let i = 0; i < M; i++) if (other.registers[i]! > this.registers[i]!) this.registers[i] = other.registers[i]!;
  }

  estimate(): number {
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < M; i++) {
      const r = this.registers[i]!;
      sum += 2 ** -r;
      if (r === 0) zeros++;
    }
    const e = (ALPHA * M * M) / sum;
    if (e <= 2.5 * M && zeros > 0) return Math.round(M * Math.log(M / zeros));
    return Math.round(e);
  }

  toBase64(): string {
    return Buffer.from(this.registers).toString("base64");
  }

  static fromBase64(s: string): HyperLogLog {
    const h = new HyperLogLog();
    const bytes = Buffer.from(s, "base64");
    if (bytes.length !== M) throw new RangeError(`HyperLogLog state must hold ${M} registers`);
    h.registers.set(bytes);
    return h;
  }
}
