// Seeded synthetic data for the gbdt tests: small, quick to train, with known structure.

/** mulberry32: a tiny seeded generator, enough for test data. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Table {
  X: Float64Array;
  y: Float64Array;
  nRows: number;
  nFeatures: number;
}

/** Standard normal by Box–Muller. */
export function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/**
 * Binary task: the label is 1 when a noisy linear score of the first three features (plus an
 * interaction) is positive; the other features are noise.
 */
export function binaryTask(nRows: number, nFeatures: number, seed: number, noise = 0.3): Table {
  const rand = seeded(seed);
  const X = new Float64Array(nRows * nFeatures);
  const y = new Float64Array(nRows);
  for (let i = 0; i < nRows; i++) {
    for (let f = 0; f < nFeatures; f++) X[i * nFeatures + f] = gaussian(rand);
    const x = (f: number) => X[i * nFeatures + f]!;
    const score = 1.5 * x(0) - x(1) + 0.8 * x(2) * x(0) + noise * gaussian(rand);
    y[i] = score > 0 ? 1 : 0;
  }
  return { X, y, nRows, nFeatures };
}

/** Regression task: y = sin(x0) · 3 + x1² + noise. */
export function regressionTask(nRows: number, nFeatures: number, seed: number, noise = 0.1): Table {
  const rand = seeded(seed);
  const X = new Float64Array(nRows * nFeatures);
  const y = new Float64Array(nRows);
  for (let i = 0; i < nRows; i++) {
    for (let f = 0; f < nFeatures; f++) X[i * nFeatures + f] = gaussian(rand);
    const x = (f: number) => X[i * nFeatures + f]!;
    y[i] = 3 * Math.sin(x(0)) + x(1) * x(1) + noise * gaussian(rand);
  }
  return { X, y, nRows, nFeatures };
}

/** Multiclass task: the class is the index of the largest of the first `nClasses` features plus noise. */
export function multiclassTask(nRows: number, nFeatures: number, nClasses: number, seed: number): Table {
  const rand = seeded(seed);
  const X = new Float64Array(nRows * nFeatures);
  const y = new Float64Array(nRows);
  for (let i = 0; i < nRows; i++) {
    for (let f = 0; f < nFeatures; f++) X[i * nFeatures + f] = gaussian(rand);
    let best = 0;
    let bestV = -Infinity;
    for (let k = 0; k < nClasses; k++) {
      const v = X[i * nFeatures + k]! + 0.3 * gaussian(rand);
      if (v > bestV) {
        bestV = v;
        best = k;
      }
    }
    y[i] = best;
  }
  return { X, y, nRows, nFeatures };
}

/** Sets a fraction of the values of feature f to NaN. */
export function withMissing(t: Table, f: number, fraction: number, seed: number): Table {
  const rand = seeded(seed);
  const X = t.X.slice();
  for (let i = 0; i < t.nRows; i++) if (rand() < fraction) X[i * t.nFeatures + f] = NaN;
  return { ...t, X };
}

export function accuracy(pred: Float64Array, y: Float64Array): number {
  let ok = 0;
  for (let i = 0; i < y.length; i++) if (pred[i] === y[i]) ok++;
  return ok / y.length;
}

export function r2(pred: Float64Array, y: Float64Array): number {
  let mean = 0;
  for (let i = 0; i < y.length; i++) mean += y[i]! / y.length;
  let ssr = 0;
  let sst = 0;
  for (let i = 0; i < y.length; i++) {
    ssr += (y[i]! - pred[i]!) ** 2;
    sst += (y[i]! - mean) ** 2;
  }
  return 1 - ssr / sst;
}
