// Formatting for tracking values. Metric values may arrive as numbers or, over JSON, as the
// strings "NaN", "Infinity" and "-Infinity" (JSON has no such numbers).
import type { RunStatus } from "@/lib/tracking/types";
import type { BadgeTone } from "@/components/ui/badge";

export function msToIso(ms: number | null | undefined): string | null {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return null;
  return new Date(ms).toISOString();
}

export function toNumber(v: number | string | null | undefined): number {
  if (typeof v === "number") return v;
  if (v === null || v === undefined) return NaN;
  return Number(v);
}

/** Four significant digits, exponent notation for very large or small magnitudes. */
export function formatMetric(v: number | string | null | undefined): string {
  const n = toNumber(v);
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "∞";
  if (n === -Infinity) return "−∞";
  if (Number.isInteger(n) && Math.abs(n) < 1e9) return String(n);
  const a = Math.abs(n);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return n.toExponential(3);
  return String(Number(n.toPrecision(4)));
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  if (m < 60) return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h} h ${m % 60} min` : `${Math.floor(h / 24)} d ${h % 24} h`;
}

export const STATUS_TONES: Record<RunStatus, BadgeTone> = {
  RUNNING: "blue",
  SCHEDULED: "amber",
  FINISHED: "green",
  FAILED: "red",
  KILLED: "gray",
};

/** A filter-language name for a key: backtick-quoted unless it is a plain word. */
export function filterKey(entity: "metrics" | "params" | "tags" | "attributes", key: string): string {
  return /^[A-Za-z0-9_]+$/.test(key) ? `${entity}.${key}` : `${entity}.\`${key.replace(/`/g, "``")}\``;
}

/** Distinct colours for runs in a chart: a categorical palette, then golden-angle hues beyond it. */
const PALETTE = ["#6366f1", "#f59e0b", "#10b981", "#ef4444", "#06b6d4", "#a855f7", "#84cc16", "#ec4899", "#f97316", "#14b8a6"];
export function runColor(index: number): string {
  if (index < PALETTE.length) return PALETTE[index]!;
  return `hsl(${Math.round((index * 137.508) % 360)} 65% 52%)`;
}
