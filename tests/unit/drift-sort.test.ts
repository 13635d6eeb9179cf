// The radix sort, its worker thread, and the KLL sketch's merge.
import { describe, expect, it } from "vitest";
import { KllSketch, sortInPlace } from "@/lib/drift";
import { trySortOnWorker } from "@/lib/drift/parallel";
import { mulberry32, normals } from "./drift-data";

const nativeSorted = (x: Float64Array) => Float64Array.from(x).sort();

describe("sortInPlace", () => {
  it("orders like TypedArray#sort: signs, zeros, ties, huge and tiny magnitudes", () => {
    const next = mulberry32(1);
    const x = new Float64Array(50_000);
    for (let i = 0; i < x.length; i++) {
      const k = i % 5;
      x[i] = k === 0 ? (next() - 0.5) * 1e300 : k === 1 ? (next() - 0.5) * 1e-300 : k === 2 ? Math.floor(next() * 9) - 4 : k === 3 ? -0 : next() - 0.5;
    }
    expect(sortInPlace(Float64Array.from(x))).toEqual(nativeSorted(x));
  });

  it("sorts values that share their high 32 bits (short and long runs)", () => {
    const next = mulberry32(2);
    const x = Float64Array.from({ length: 20_000 }, (_, i) => 1 + (i % 2 ? Math.floor(next() * 30) : Math.floor(next() * 2 ** 20)) * 2 ** -52);
    expect(sortInPlace(Float64Array.from(x))).toEqual(nativeSorted(x));
  });

  it("sorts on the worker thread the same as here, and hands the column back", async () => {
    const x = normals(mulberry32(3), 300_000);
    // The worker starts on first use; until it is up, nothing is handed over.
    let ticket = trySortOnWorker(Float64Array.from(x));
    for (let wait = 0; !ticket && wait < 200; wait++) {
      await new Promise((r) => setTimeout(r, 50));
      ticket = trySortOnWorker(Float64Array.from(x));
    }
    expect(ticket).not.toBeNull();
    const second = trySortOnWorker(Float64Array.from(x));
    expect(second).toBeNull(); // one column at a time
    const other = sortInPlace(normals(mulberry32(4), 300_000));
    expect(ticket!.join()).toEqual(nativeSorted(x));
    expect(other[0]).toBeLessThanOrEqual(other[1]!);
    // Small columns, views into larger buffers and shared memory stay on this thread.
    expect(trySortOnWorker(new Float64Array(1000))).toBeNull();
    expect(trySortOnWorker(new Float64Array(400_000).subarray(10))).toBeNull();
    expect(trySortOnWorker(new Float64Array(new SharedArrayBuffer(8 * 300_000)))).toBeNull();
  });
});

describe("KLL sketch", () => {
  it("merges: the merged sketch counts every row, keeps min and max, and adds the error bounds", () => {
    const a = new KllSketch(64, 1);
    const b = new KllSketch(64, 2);
    const xa = normals(mulberry32(5), 10_000);
    const xb = normals(mulberry32(6), 7_000, 3);
    a.addSorted(sortInPlace(xa.slice()));
    b.addSorted(sortInPlace(xb.slice()));
    const boundA = a.rankErrorBound * a.n;
    const boundB = b.rankErrorBound * b.n;
    a.merge(b);
    expect(a.n).toBe(17_000);
    expect(a.min).toBe(Math.min(...xa, ...xb));
    expect(a.max).toBe(Math.max(...xa, ...xb));
    expect(a.rankErrorBound * a.n).toBeGreaterThanOrEqual(boundA + boundB);
    const { cum } = a.toSorted();
    expect(cum[cum.length - 1]).toBe(17_000);
    expect(a.size).toBeLessThan(400);
  });

  it("is exact below its capacity", () => {
    const s = new KllSketch(200);
    s.addSorted(Float64Array.from([1, 2, 2, 3]));
    expect(s.rankErrorBound).toBe(0);
    expect(Array.from(s.toSorted().values)).toEqual([1, 2, 2, 3]);
  });
});
