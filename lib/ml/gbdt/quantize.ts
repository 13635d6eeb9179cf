// Quantized gradients (LightGBM's use_quantized_grad), used by the grower from 20,000 rows per tree.
//
// Each row's gradient and hessian are rounded stochastically to integers and packed into one double
// as gq · 2^S + hq, so a histogram bin is a single exact integer sum and building a histogram costs one
// add per row and feature instead of two (measured 1.5× faster). The bit budget follows the row
// count so sums stay below 2^53: 80k rows get 1024 gradient and 256 hessian levels. Subtraction of
// integer histograms is exact. Leaf values are computed from the exact gradients.
import { QSTRIDE, STRIDE } from "./histogram";
import type { GbdtParams } from "./params";
import type { Rng } from "./rng";

/** Below this many rows per tree, "auto" keeps exact histograms: speed does not matter there, exactness does. */
const QUANTIZE_MIN_ROWS = 20_000;
/** Fewer gradient + hessian bits than this (beyond ~4M rows per tree) would be too coarse: exact histograms then. */
const MIN_QUANT_BITS = 8;

export class GradientQuantizer {
  /** Packed quantized gradients: row r's gq · shift + hq. */
  readonly qv: Float64Array;
  readonly shift: number;
  private readonly levelsG: number;
  private readonly levelsH: number;
  private gScale = 1;
  private hScale = 1;
  /** Quantized histograms decoded to (gradient, hessian) pairs for the split search. */
  private readonly decoded: Float64Array;

  /** A quantizer when the parameters and the rows per tree call for one, else null (exact histograms). */
  static create(params: GbdtParams, rowsPerTree: number, nRows: number, histFeatures: number): GradientQuantizer | null {
    const logN = Math.ceil(Math.log2(rowsPerTree + 1));
    // |sum gq| < 2^(logN + gBits) and S = logN + hBits, so the packed sum needs 2·logN + gBits + hBits bits; 52 leaves a margin.
    const bits = Math.min(30, 52 - 2 * logN);
    const on = params.use_quantized_grad === "auto" ? rowsPerTree >= QUANTIZE_MIN_ROWS : params.use_quantized_grad;
    return on && bits >= MIN_QUANT_BITS ? new GradientQuantizer(bits, logN, nRows, histFeatures) : null;
  }

  private constructor(bits: number, logN: number, nRows: number, histFeatures: number) {
    const hBits = Math.floor(bits * 0.45);
    this.levelsH = 2 ** hBits;
    this.levelsG = 2 ** (bits - hBits);
    this.shift = 2 ** (logN + hBits);
    this.qv = new Float64Array(nRows);
    this.decoded = new Float64Array(histFeatures * STRIDE);
  }

  /** Gradient sum of a packed total. */
  gradient(v: number): number {
    return Math.floor(v / this.shift) * this.gScale;
  }

  /** Hessian sum of a packed total. */
  hessian(v: number): number {
    return (v - Math.floor(v / this.shift) * this.shift) * this.hScale;
  }

  /**
   * Stochastic rounding of the used rows' gradients into qv (unbiased: E[gq] = g / gScale).
   * Returns the packed sum over the rows, which is the root's histogram total.
   */
  quantize(gh: Float64Array, idx: Uint32Array, nUsed: number, rng: Rng): number {
    const qv = this.qv;
    let maxG = 0;
    let maxH = 0;
    for (let i = 0; i < nUsed; i++) {
      const r = 2 * idx[i]!;
      const g = gh[r]!;
      const a = g < 0 ? -g : g;
      if (a > maxG) maxG = a;
      if (gh[r + 1]! > maxH) maxH = gh[r + 1]!;
    }
    this.gScale = maxG > 0 ? maxG / this.levelsG : 1;
    this.hScale = maxH > 0 ? maxH / this.levelsH : 1;
    const gInv = 1 / this.gScale;
    const hInv = 1 / this.hScale;
    const shift = this.shift;
    // xorshift32 seeded from the main generator once per tree: inline and cheap, and the rounding
    // noise only needs to be unbiased, not of high statistical quality.
    let x = rng.nextUint32() | 1;
    let total = 0;
    for (let i = 0; i < nUsed; i++) {
      const row = idx[i]!;
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      // One 32-bit draw gives both 16-bit uniforms.
      const u = x >>> 0;
      const gq = Math.floor(gh[2 * row]! * gInv + (u & 0xffff) * (1 / 65536));
      const hq = Math.floor(gh[2 * row + 1]! * hInv + (u >>> 16) * (1 / 65536));
      const v = gq * shift + hq;
      qv[row] = v;
      total += v;
    }
    return total;
  }

  /** Quantized histogram → (gradient, hessian) pairs of the selected features. */
  decode(hist: Float64Array, sel: Int32Array, nSelected: number, nBins: Int32Array): Float64Array {
    const out = this.decoded;
    const shift = this.shift;
    const inv = 1 / shift;
    const gs = this.gScale;
    const hs = this.hScale;
    for (let s = 0; s < nSelected; s++) {
      const f = sel[s]!;
      const nb = nBins[f]!;
      for (let b = 0, q = f * QSTRIDE, o = f * STRIDE; b < nb; b++, q++, o += 2) {
        const v = hist[q]!;
        const gq = Math.floor(v * inv);
        out[o] = gq * gs;
        out[o + 1] = (v - gq * shift) * hs;
      }
    }
    return out;
  }
}
