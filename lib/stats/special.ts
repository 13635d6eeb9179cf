// Special functions shared by the drift and A/B statistics, in plain double precision: log-gamma, the regularised
// incomplete gamma (chi-square tail) and beta (Student-t tail) functions, erfc, and the normal and
// Student-t quantiles. Ported from the Cephes algorithms SciPy uses, so p-values and intervals agree
// with SciPy far below the 1e-6 tolerance the fixtures check.

const MACHEP = 1.11022302462515654042e-16;
const MAXLOG = 7.09782712893383996843e2;
const BIG = 4.503599627370496e15;
const BIGINV = 2.22044604925031308085e-16;

// Lanczos approximation (g = 671/128, 14 terms; Numerical Recipes 3rd ed.), ~1e-15 relative.
const LANCZOS = [
  57.1562356658629235, -59.5979603554754912, 14.1360979747417471, -0.491913816097620199,
  0.339946499848118887e-4, 0.465236289270485756e-4, -0.983744753048795646e-4, 0.158088703224912494e-3,
  -0.210264441724104883e-3, 0.217439618115212643e-3, -0.164318106536763890e-3, 0.844182239838527433e-4,
  -0.261908384015814087e-4, 0.368991826595316234e-5,
];

/** log Γ(x) for x > 0. */
export function lgamma(x: number): number {
  if (!(x > 0)) return Number.NaN;
  if (x === 1 || x === 2) return 0;
  let y = x;
  let tmp = x + 5.2421875;
  tmp = (x + 0.5) * Math.log(tmp) - tmp;
  let ser = 0.999999999999997092;
  for (let j = 0; j < LANCZOS.length; j++) ser += LANCZOS[j]! / ++y;
  return tmp + Math.log((2.5066282746310005 * ser) / x);
}

/** Regularised lower incomplete gamma P(a, x) (Cephes igam). */
export function gammainc(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) return Number.NaN;
  if (x === 0) return 0;
  if (x === Infinity) return 1;
  if (x > 1 && x > a) return 1 - gammaincc(a, x);
  const ax = a * Math.log(x) - x - lgamma(a);
  if (ax < -MAXLOG) return 0;
  let r = a;
  let c = 1;
  let ans = 1;
  // The series converges for every x; the cap only guards against a NaN loop.
  for (let i = 0; i < 100_000; i++) {
    r += 1;
    c *= x / r;
    ans += c;
    if (c / ans <= MACHEP) break;
  }
  return (ans * Math.exp(ax)) / a;
}

/** Regularised upper incomplete gamma Q(a, x) = 1 − P(a, x) (Cephes igamc, continued fraction). */
export function gammaincc(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) return Number.NaN;
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  if (x < 1 || x < a) return 1 - gammainc(a, x);
  const logAx = a * Math.log(x) - x - lgamma(a);
  if (logAx < -MAXLOG) return 0;
  const ax = Math.exp(logAx);
  let y = 1 - a;
  let z = x + y + 1;
  let c = 0;
  let pkm2 = 1;
  let qkm2 = x;
  let pkm1 = x + 1;
  let qkm1 = z * x;
  let ans = pkm1 / qkm1;
  for (let i = 0; i < 100_000; i++) {
    c += 1;
    y += 1;
    z += 2;
    const yc = y * c;
    const pk = pkm1 * z - pkm2 * yc;
    const qk = qkm1 * z - qkm2 * yc;
    let t = 1;
    if (qk !== 0) {
      const r = pk / qk;
      t = Math.abs((ans - r) / r);
      ans = r;
    }
    pkm2 = pkm1;
    pkm1 = pk;
    qkm2 = qkm1;
    qkm1 = qk;
    if (Math.abs(pk) > BIG) {
      pkm2 *= BIGINV;
      pkm1 *= BIGINV;
      qkm2 *= BIGINV;
      qkm1 *= BIGINV;
    }
    if (t <= MACHEP) break;
  }
  return ans * ax;
}

/** Survival function of the chi-square distribution with `df` degrees of freedom (scipy.stats.chi2.sf). */
export function chi2Sf(x: number, df: number): number {
  if (Number.isNaN(x) || !(df > 0)) return Number.NaN;
  if (x <= 0) return 1;
  return gammaincc(df / 2, x / 2);
}

function polevl(x: number, c: readonly number[]): number {
  let ans = c[0]!;
  for (let i = 1; i < c.length; i++) ans = ans * x + c[i]!;
  return ans;
}

/** Like polevl with an implicit leading coefficient of 1. */
function p1evl(x: number, c: readonly number[]): number {
  let ans = x + c[0]!;
  for (let i = 1; i < c.length; i++) ans = ans * x + c[i]!;
  return ans;
}

const ERFC_P = [
  2.46196981473530512524e-10, 5.64189564831068821977e-1, 7.46321056442269912687e0, 4.86371970985681366614e1,
  1.96520832956077098242e2, 5.26445194995477358631e2, 9.3452852717195760754e2, 1.02755188689515710272e3,
  5.57535335369399327526e2,
];
const ERFC_Q = [
  1.32281951154744992508e1, 8.67072140885989742329e1, 3.54937778887819891062e2, 9.75708501743205489753e2,
  1.82390916687909736289e3, 2.24633760818710981792e3, 1.65666309194161350182e3, 5.57535340817727675546e2,
];
const ERFC_R = [
  5.64189583547755073984e-1, 1.27536670759978104416e0, 5.01905042251180477414e0, 6.16021097993053585195e0,
  7.4097426995044893916e0, 2.9788666537210024067e0,
];
const ERFC_S = [
  2.2605286322011727659e0, 9.39603524938001434673e0, 1.20489539808096656605e1, 1.70814450747565897222e1,
  9.60896809063285878198e0, 3.3690764510008151605e0,
];
const ERF_T = [
  9.60497373987051638749e0, 9.00260197203842689217e1, 2.23200534594684319226e3, 7.00332514112805075473e3,
  5.55923013010394962768e4,
];
const ERF_U = [
  3.35617141647503099647e1, 5.21357949780152679795e2, 4.59432382970980127987e3, 2.26290000613890934246e4,
  4.92673942608635921086e4,
];

export function erf(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x < 0) return -erf(-x);
  if (x > 1) return 1 - erfc(x);
  const z = x * x;
  return (x * polevl(z, ERF_T)) / p1evl(z, ERF_U);
}

export function erfc(a: number): number {
  if (Number.isNaN(a)) return a;
  const x = Math.abs(a);
  if (x < 1) return 1 - erf(a);
  const z = -a * a;
  if (z < -MAXLOG) return a < 0 ? 2 : 0;
  const ez = Math.exp(z);
  const p = x < 8 ? polevl(x, ERFC_P) : polevl(x, ERFC_R);
  const q = x < 8 ? p1evl(x, ERFC_Q) : p1evl(x, ERFC_S);
  let y = (ez * p) / q;
  if (a < 0) y = 2 - y;
  if (y !== 0) return y;
  return a < 0 ? 2 : 0;
}

/** Standard normal CDF (Cephes ndtr). */
export function ndtr(a: number): number {
  if (Number.isNaN(a)) return a;
  const x = a * Math.SQRT1_2;
  const z = Math.abs(x);
  if (z < Math.SQRT1_2) return 0.5 + 0.5 * erf(x);
  const y = 0.5 * erfc(z);
  return x > 0 ? 1 - y : y;
}

/** Standard normal survival function, accurate in the far tail (scipy.stats.norm.sf). */
export function normSf(z: number): number {
  return ndtr(-z);
}

const MINLOG = -7.451332191019412076235e2;

function lbeta(a: number, b: number): number {
  return lgamma(a) + lgamma(b) - lgamma(a + b);
}

/** Power series for incbet, used when b·x is small and x not too close to 1 (Cephes pseries). */
function pseries(a: number, b: number, x: number): number {
  const ai = 1 / a;
  let u = (1 - b) * x;
  let v = u / (a + 1);
  const t1 = v;
  let t = u;
  let n = 2;
  let s = 0;
  const z = MACHEP * ai;
  for (let i = 0; i < 1_000_000 && Math.abs(v) > z; i++) {
    u = ((n - b) * x) / n;
    t *= u;
    v = t / (a + n);
    s += v;
    n += 1;
  }
  s += t1 + ai;
  const logT = a * Math.log(x) - lbeta(a, b);
  return logT < MINLOG ? 0 : s * Math.exp(logT);
}

/** Continued fraction expansion #1 for incbet (Cephes incbcf). */
function incbcf(a: number, b: number, x: number): number {
  let k1 = a, k2 = a + b, k3 = a, k4 = a + 1, k5 = 1, k6 = b - 1, k7 = k4, k8 = a + 2;
  let pkm2 = 0, qkm2 = 1, pkm1 = 1, qkm1 = 1, ans = 1, r = 1;
  const thresh = 3 * MACHEP;
  for (let n = 0; n < 10_000; n++) {
    let xk = -(x * k1 * k2) / (k3 * k4);
    let pk = pkm1 + pkm2 * xk;
    let qk = qkm1 + qkm2 * xk;
    pkm2 = pkm1; pkm1 = pk; qkm2 = qkm1; qkm1 = qk;
    xk = (x * k5 * k6) / (k7 * k8);
    pk = pkm1 + pkm2 * xk;
    qk = qkm1 + qkm2 * xk;
    pkm2 = pkm1; pkm1 = pk; qkm2 = qkm1; qkm1 = qk;
    if (qk !== 0) r = pk / qk;
    let t = 1;
    if (r !== 0) {
      t = Math.abs((ans - r) / r);
      ans = r;
    }
    if (t < thresh) break;
    k1 += 1; k2 += 1; k3 += 2; k4 += 2; k5 += 1; k6 -= 1; k7 += 2; k8 += 2;
    if (Math.abs(qk) + Math.abs(pk) > BIG) {
      pkm2 *= BIGINV; pkm1 *= BIGINV; qkm2 *= BIGINV; qkm1 *= BIGINV;
    }
    if (Math.abs(qk) < BIGINV || Math.abs(pk) < BIGINV) {
      pkm2 *= BIG; pkm1 *= BIG; qkm2 *= BIG; qkm1 *= BIG;
    }
  }
  return ans;
}

/** Continued fraction expansion #2 for incbet (Cephes incbd). */
function incbd(a: number, b: number, x: number): number {
  let k1 = a, k2 = b - 1, k3 = a, k4 = a + 1, k5 = 1, k6 = a + b, k7 = a + 1, k8 = a + 2;
  let pkm2 = 0, qkm2 = 1, pkm1 = 1, qkm1 = 1, ans = 1, r = 1;
  const z = x / (1 - x);
  const thresh = 3 * MACHEP;
  for (let n = 0; n < 10_000; n++) {
    let xk = -(z * k1 * k2) / (k3 * k4);
    let pk = pkm1 + pkm2 * xk;
    let qk = qkm1 + qkm2 * xk;
    pkm2 = pkm1; pkm1 = pk; qkm2 = qkm1; qkm1 = qk;
    xk = (z * k5 * k6) / (k7 * k8);
    pk = pkm1 + pkm2 * xk;
    qk = qkm1 + qkm2 * xk;
    pkm2 = pkm1; pkm1 = pk; qkm2 = qkm1; qkm1 = qk;
    if (qk !== 0) r = pk / qk;
    let t = 1;
    if (r !== 0) {
      t = Math.abs((ans - r) / r);
      ans = r;
    }
    if (t < thresh) break;
    k1 += 1; k2 -= 1; k3 += 2; k4 += 2; k5 += 1; k6 += 1; k7 += 2; k8 += 2;
    if (Math.abs(qk) + Math.abs(pk) > BIG) {
      pkm2 *= BIGINV; pkm1 *= BIGINV; qkm2 *= BIGINV; qkm1 *= BIGINV;
    }
    if (Math.abs(qk) < BIGINV || Math.abs(pk) < BIGINV) {
      pkm2 *= BIG; pkm1 *= BIG; qkm2 *= BIG; qkm1 *= BIG;
    }
  }
  return ans;
}

/** Regularised incomplete beta I_x(a, b) (Cephes incbet). */
export function incbet(a: number, b: number, xx: number): number {
  if (!(a > 0) || !(b > 0) || Number.isNaN(xx)) return Number.NaN;
  if (xx <= 0) return 0;
  if (xx >= 1) return 1;
  if (b * xx <= 1 && xx <= 0.95) return pseries(a, b, xx);
  let w = 1 - xx;
  let flag = false;
  let a1 = a, b1 = b, x = xx, xc = w;
  // Reverse a and b when x is above the mean: the expansions converge faster below it.
  if (xx > a / (a + b)) {
    flag = true;
    a1 = b; b1 = a; xc = xx; x = w;
  }
  let t: number;
  if (flag && b1 * x <= 1 && x <= 0.95) {
    t = pseries(a1, b1, x);
  } else {
    const y = x * (a1 + b1 - 2) - (a1 - 1);
    w = y < 0 ? incbcf(a1, b1, x) : incbd(a1, b1, x) / xc;
    const logT = a1 * Math.log(x) + b1 * Math.log(xc) - lbeta(a1, b1) + Math.log(w / a1);
    t = logT < MINLOG ? 0 : Math.exp(logT);
  }
  if (flag) t = t <= MACHEP ? 1 - MACHEP : 1 - t;
  return t;
}

/** Two-sided tail P(|T| > |t|) of Student's t with `df` degrees of freedom. */
export function studentTwoSided(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return Number.NaN;
  if (!Number.isFinite(t)) return 0;
  if (df === Infinity) return 2 * normSf(Math.abs(t));
  return incbet(df / 2, 0.5, df / (df + t * t));
}

/** Survival function P(T > t) of Student's t (scipy.stats.t.sf). */
export function studentSf(t: number, df: number): number {
  const half = studentTwoSided(t, df) / 2;
  return t >= 0 ? half : 1 - half;
}

function studentPdf(t: number, df: number): number {
  return Math.exp(lgamma((df + 1) / 2) - lgamma(df / 2) - 0.5 * Math.log(df * Math.PI) - ((df + 1) / 2) * Math.log1p((t * t) / df));
}

/** Upper quantile of the standard normal: z with P(Z > z) = q (scipy.stats.norm.isf). */
export function normIsf(q: number): number {
  if (!(q > 0 && q < 1)) return q === 0 ? Infinity : q === 1 ? -Infinity : Number.NaN;
  // Acklam's rational approximation (~1e-9) refined by one Halley step on erfc to full precision.
  const p = 1 - q;
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  let x: number;
  if (p < lo) {
    const r = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0]! * r + c[1]!) * r + c[2]!) * r + c[3]!) * r + c[4]!) * r + c[5]!) / ((((d[0]! * r + d[1]!) * r + d[2]!) * r + d[3]!) * r + 1);
  } else if (p <= 1 - lo) {
    const s = p - 0.5;
    const r = s * s;
    x = ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * s) /
      (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  } else {
    const r = Math.sqrt(-2 * Math.log(q));
    x = -(((((c[0]! * r + c[1]!) * r + c[2]!) * r + c[3]!) * r + c[4]!) * r + c[5]!) / ((((d[0]! * r + d[1]!) * r + d[2]!) * r + d[3]!) * r + 1);
  }
  for (let i = 0; i < 2; i++) {
    // Halley step on f(x) = sf(x) − q, with the tail computed from erfc so small q stays exact.
    const e = normSf(x) - q;
    const u = -e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
    x = x - u / (1 + (x * u) / 2);
  }
  return x;
}

/** Upper quantile of Student's t: t with P(T > t) = q, for 0 < q < 1 (scipy.stats.t.isf). */
export function studentIsf(q: number, df: number): number {
  if (!(q > 0 && q < 1) || !(df > 0)) return Number.NaN;
  if (q > 0.5) return -studentIsf(1 - q, df);
  if (q === 0.5) return 0;
  if (df === Infinity) return normIsf(q);
  // Bracket [lo, hi] with sf(lo) ≥ q > sf(hi), then Newton steps kept inside the bracket.
  let lo = 0;
  let hi = Math.max(1, normIsf(q));
  while (studentSf(hi, df) > q) {
    lo = hi;
    hi *= 2;
  }
  // Start from the Cornish-Fisher expansion around the normal quantile (close for df above ~5).
  const z = normIsf(q);
  const g1 = (z ** 3 + z) / 4;
  const g2 = (5 * z ** 5 + 16 * z ** 3 + 3 * z) / 96;
  let t = z + g1 / df + g2 / (df * df);
  if (!(t > lo && t < hi)) t = (lo + hi) / 2;
  for (let i = 0; i < 60; i++) {
    const f = studentSf(t, df) - q;
    if (f === 0) return t;
    if (f > 0) lo = t;
    else hi = t;
    let next = t + f / studentPdf(t, df);
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    // 1e-12 relative is far below what any interval needs, and above the noise of the tail itself.
    if (Math.abs(next - t) <= 1e-12 * Math.max(1, Math.abs(t))) return next;
    t = next;
  }
  return t;
}
