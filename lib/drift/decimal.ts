// Decimal text to double, straight from bytes, exactly as Number() would (checked in the tests).
// Up to 15 significant digits and |exponent| ≤ 22 this is Clinger's exact fast path; up to 19
// digits double-double arithmetic decides the rounding; anything else goes through Number().
// The CSV reader's hot loop calls scanNumber once per numeric cell.

import { MISSING_TOKENS } from "./columns";

const CR = 0x0d;
const LF = 0x0a;
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
/**
 * Side results of the parsers. `invalid`: the last cell was present but not a finite number (a flag
 * rather than a non-number return value keeps the results unboxed doubles in V8). `end`: where the
 * field read by scanNumber ends (its separator, line end or the end of the data).
 */
export const parsed = { invalid: false, end: 0 };

// Exact product a·b as a double-double (Dekker/Veltkamp split; no FMA in JavaScript).
const SPLITTER = 134217729;
function twoProdErr(a: number, b: number, p: number): number {
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ((ah * bh - p + ah * bl + al * bh) + al * bl);
}

/** Half the spacing of doubles at x (x normal, finite, non-zero). */
function halfUlp(x: number): number {
  const a = Math.abs(x);
  let p = 2 ** Math.floor(Math.log2(a));
  // log2 can be off by one next to a power of two.
  if (p > a) p /= 2;
  else if (p * 2 <= a) p *= 2;
  return p * 2 ** -53;
}

/**
 * Decimal mantissa `hi`·10^nlo + `lo` (at most 19 digits) times 10^scale, correctly rounded.
 * Up to 15 digits this is Clinger's exact fast path; beyond, double-double arithmetic carries
 * ~104 bits, so the rounding is right unless the value sits within 1e-9 ulp of a rounding
 * midpoint — then (NaN: never in practice) the caller falls back to Number().
 */
function composeDecimal(hi: number, lo: number, nlo: number, scale: number): number {
  if (nlo === 0) {
    if (hi === 0) return 0;
    if (scale >= 0 && scale <= 22) return hi * POW10[scale]!;
    if (scale < 0 && scale >= -22) return hi / POW10[-scale]!;
    return Number.NaN;
  }
  if (scale > 22 || scale < -22) return Number.NaN;
  // M = hi·10^nlo + lo exactly, as a + b.
  const p = hi * POW10[nlo]!;
  const pe = twoProdErr(hi, POW10[nlo]!, p);
  const s = p + lo;
  const se = lo - (s - p);
  const tail = pe + se;
  const a = s + tail;
  const b = tail - (a - s);
  let r: number;
  let t: number;
  if (scale === 0) return a;
  if (scale > 0) {
    const c = POW10[scale]!;
    const q1 = a * c;
    const q2 = twoProdErr(a, c, q1) + b * c;
    r = q1 + q2;
    t = q2 - (r - q1);
  } else {
    const d = POW10[-scale]!;
    const q1 = a / d;
    const prod = q1 * d;
    const rem = a - prod - twoProdErr(q1, d, prod) + b;
    const q2 = rem / d;
    r = q1 + q2;
    t = q2 - (r - q1);
  }
  if (!Number.isFinite(r) || r === 0) return Number.NaN;
  // |t| ≤ half an ulp always; only a tail at (nearly) half an ulp leaves the rounding in doubt.
  if (Math.abs(t) < Math.abs(r) * 2 ** -54 * (1 - 1e-9)) return r;
  const h = halfUlp(r);
  return Math.abs(Math.abs(t) - h) <= h * 1e-9 ? Number.NaN : r;
}

/** Parses a number from bytes; NaN for a missing cell, and NaN with `parsed.invalid` set for text that is not a finite number. */
export function parseNumberBytes(b: Uint8Array, start: number, end: number): number {
  while (start < end && (b[start] === 0x20 || b[start] === 0x09)) start++;
  while (end > start && (b[end - 1] === 0x20 || b[end - 1] === 0x09)) end--;
  if (start === end) return Number.NaN;
  let i = start;
  let neg = false;
  if (b[i] === 0x2d || b[i] === 0x2b) {
    neg = b[i] === 0x2d;
    i++;
  }
  // Significant digits: the first 15 in `hi`, up to 4 more in `lo`.
  let hi = 0;
  let lo = 0;
  let nhi = 0;
  let nlo = 0;
  let scale = 0;
  let any = false;
  let frac = false;
  for (; i < end; i++) {
    const c = b[i]!;
    if (c === 0x2e) {
      if (frac) return invalidCell();
      frac = true;
      continue;
    }
    const d = c - 0x30;
    if (d < 0 || d > 9) break;
    any = true;
    if (nhi === 0 && d === 0) {
      if (frac) scale--;
      continue;
    }
    if (nhi < 15) {
      hi = hi * 10 + d;
      nhi++;
    } else if (nlo < 4) {
      lo = lo * 10 + d;
      nlo++;
    } else return slowNumber(b, start, end);
    if (frac) scale--;
  }
  if (!any) return slowNumber(b, start, end);
  if (i < end && (b[i] === 0x65 || b[i] === 0x45)) {
    i++;
    let eneg = false;
    if (i < end && (b[i] === 0x2d || b[i] === 0x2b)) {
      eneg = b[i] === 0x2d;
      i++;
    }
    let e = 0;
    let edigits = 0;
    while (i < end) {
      const d = b[i]! - 0x30;
      if (d < 0 || d > 9) break;
      if (e < 100000) e = e * 10 + d;
      edigits++;
      i++;
    }
    if (edigits === 0) return invalidCell();
    scale += eneg ? -e : e;
  }
  if (i !== end) return slowNumber(b, start, end);
  const v = composeDecimal(hi, lo, nlo, scale);
  if (v !== v) return slowNumber(b, start, end);
  return neg ? -v : v;
}

/**
 * Parses an unquoted numeric field starting at i while finding its end (set in scanEnd). Plain
 * decimals take one pass; anything else (spaces, NA tokens, text) is re-read by parseNumberBytes.
 */
export function scanNumber(b: Uint8Array, i: number, n: number, sep: number): number {
  const start = i;
  let neg = false;
  let c = i < n ? b[i]! : -1;
  if (c === 0x2d || c === 0x2b) {
    neg = c === 0x2d;
    c = ++i < n ? b[i]! : -1;
  }
  let hi = 0;
  let lo = 0;
  let nhi = 0;
  let nlo = 0;
  let scale = 0;
  let digits = 0;
  // Integer part.
  while (c >= 0x30 && c <= 0x39) {
    const d = c - 0x30;
    digits++;
    if (nhi < 15) {
      if (nhi > 0 || d !== 0) {
        hi = hi * 10 + d;
        nhi++;
      }
    } else if (nlo < 4) {
      lo = lo * 10 + d;
      nlo++;
    } else nlo = 99;
    c = ++i < n ? b[i]! : -1;
  }
  if (c === 0x2e) {
    c = ++i < n ? b[i]! : -1;
    while (c >= 0x30 && c <= 0x39) {
      const d = c - 0x30;
      digits++;
      if (nhi < 15) {
        if (nhi > 0 || d !== 0) {
          hi = hi * 10 + d;
          nhi++;
        }
        scale--;
      } else if (nlo < 4) {
        lo = lo * 10 + d;
        nlo++;
        scale--;
      } else nlo = 99;
      c = ++i < n ? b[i]! : -1;
    }
  }
  if (c === sep || c === LF || c === CR || c === -1) {
    if (digits > 0 && nlo <= 4) {
      parsed.end = i;
      const v = composeDecimal(hi, lo, nlo, scale);
      if (v === v) return neg ? -v : v;
    }
  }
  // General case: find the end of the field, then parse it fully.
  let j = i;
  while (j < n) {
    const x = b[j]!;
    if (x === sep || x === LF || x === CR) break;
    j++;
  }
  parsed.end = j;
  return parseNumberBytes(b, start, j);
}

function invalidCell(): number {
  parsed.invalid = true;
  return Number.NaN;
}

const decoder = new TextDecoder();

function slowNumber(b: Uint8Array, start: number, end: number): number {
  return numberFromText(decoder.decode(b.subarray(start, end)));
}

export function numberFromText(text: string): number {
  const s = text.trim();
  if (MISSING_TOKENS.has(s)) return Number.NaN;
  // Number() also reads hex, octal and binary literals; a CSV number never means those.
  if (/^[+-]?0[xXbBoO]/.test(s)) return invalidCell();
  const v = Number(s);
  return s !== "" && Number.isFinite(v) ? v : invalidCell();
}
