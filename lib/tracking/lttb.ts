// Largest-Triangle-Three-Buckets downsampling (Steinarsson, 2013): keeps the points that shape a
// curve, so a chart of 10,000 steps drawn from 500 points looks the same.

/** Downsamples points ordered by x to at most `threshold` points (first and last always kept). */
export function lttb<T>(points: T[], threshold: number, x: (p: T) => number, y: (p: T) => number): T[] {
  const n = points.length;
  if (threshold >= n || threshold < 3) return points.slice();
  const out: T[] = [points[0]!];
  const every = (n - 2) / (threshold - 2);
  let a = 0;
  for (let i = 0; i < threshold - 2; i++) {
    const avgStart = Math.floor((i + 1) * every) + 1;
    const avgEnd = Math.min(Math.floor((i + 2) * every) + 1, n);
    let avgX = 0;
    let avgY = 0;
    for (let j = avgStart; j < avgEnd; j++) {
      avgX += x(points[j]!);
      avgY += y(points[j]!);
    }
    const count = Math.max(avgEnd - avgStart, 1);
    avgX /= count;
    avgY /= count;
    const rangeStart = Math.floor(i * every) + 1;
    const rangeEnd = Math.floor((i + 1) * every) + 1;
    const ax = x(points[a]!);
    const ay = y(points[a]!);
    let maxArea = -1;
    let next = rangeStart;
    for (let j = rangeStart; j < rangeEnd; j++) {
      const area = Math.abs((ax - avgX) * (y(points[j]!) - ay) - (ax - x(points[j]!)) * (avgY - ay));
      if (area > maxArea) {
        maxArea = area;
        next = j;
      }
    }
    out.push(points[next]!);
    a = next;
  }
  out.push(points[n - 1]!);
  return out;
}

/**
 * [step, value] pairs for a chart, each value rounded to a millionth of the series' range (of its
 * magnitude for a flat series): a chart resolves a few hundred levels and its tooltip shows four
 * digits, while full doubles (17 digits, which gzip cannot shrink) made up half of the compare
 * page's bytes. Zeros and non-finite values are kept as they are.
 */
export function pointsForDrawing(points: readonly { step: number; value: number }[]): [number, number][] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of points) {
    if (p.value < lo) lo = p.value;
    if (p.value > hi) hi = p.value;
  }
  const quantum = (hi > lo ? hi - lo : Math.abs(hi)) * 1e-6;
  return points.map((p) => {
    const v = p.value;
    if (v === 0 || !Number.isFinite(v) || !(quantum > 0) || !Number.isFinite(quantum)) return [p.step, v];
    // As many significant digits as resolve the quantum at this value's magnitude.
    const digits = Math.min(17, Math.max(1, Math.ceil(Math.log10(Math.abs(v) / quantum)) + 1));
    return [p.step, Number(v.toPrecision(digits))];
  });
}
