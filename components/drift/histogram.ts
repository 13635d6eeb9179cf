// Report histograms as rows for charts: both sides on the same bins, as percentages.
export type DriftHistogram = { kind: "bins"; edges: number[]; counts: number[] } | { kind: "categories"; categories: string[]; counts: number[] };

const short = (x: number) => (Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-2 && x !== 0) ? x.toExponential(1) : Number(x.toPrecision(3)).toString());

function labels(h: DriftHistogram): string[] {
  return h.kind === "categories" ? h.categories : h.counts.map((_, i) => `${short(h.edges[i]!)}–${short(h.edges[i + 1]!)}`);
}

export function histogramRows(reference: DriftHistogram | null, current: DriftHistogram | null): { label: string; reference: number; current: number }[] {
  const base = reference ?? current;
  if (!base) return [];
  const names = labels(base);
  const share = (h: DriftHistogram | null) => {
    if (!h) return names.map(() => 0);
    const total = h.counts.reduce((s, c) => s + c, 0) || 1;
    if (h.kind === "categories" && base.kind === "categories") {
      const by = new Map(h.categories.map((c, i) => [c, h.counts[i]!]));
      return names.map((n) => ((by.get(n) ?? 0) / total) * 100);
    }
    return names.map((_, i) => ((h.counts[i] ?? 0) / total) * 100);
  };
  const r = share(reference);
  const c = share(current);
  return names.map((label, i) => ({ label, reference: r[i]!, current: c[i]! }));
}
