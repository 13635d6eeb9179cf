import { histogramRows, type DriftHistogram } from "./histogram";

/** A tiny overlay of both distributions for a table cell: grey reference bars, indigo current outline. */
export function Sparkline({ reference, current, label }: { reference: DriftHistogram | null; current: DriftHistogram | null; label: string }) {
  const rows = histogramRows(reference, current);
  if (!rows.length) return <span className="text-zinc-400">–</span>;
  const w = 96;
  const h = 24;
  const max = Math.max(...rows.map((r) => Math.max(r.reference, r.current)), 1e-9);
  const bw = w / rows.length;
  const line = rows.map((r, i) => `${i === 0 ? "M" : "L"}${(i + 0.5) * bw},${h - (r.current / max) * h}`).join(" ");
  return (
    <svg width={w} height={h} role="img" aria-label={label} className="overflow-visible">
      {rows.map((r, i) => (
        <rect key={i} x={i * bw + 0.5} width={Math.max(bw - 1, 0.5)} y={h - (r.reference / max) * h} height={(r.reference / max) * h} className="fill-zinc-300 dark:fill-zinc-600" />
      ))}
      <path d={line} fill="none" strokeWidth={1.5} className="stroke-indigo-600 dark:stroke-indigo-400" />
    </svg>
  );
}
