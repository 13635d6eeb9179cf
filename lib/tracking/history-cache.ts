// Sampled metric histories kept in memory. A compare view of 100 runs reads 200 points of each of
// its 200 series by index seeks (40,000 on PostgreSQL, most of its load time); viewing the same
// runs again (another key, a reload, a run added to the selection) reads only each series' point
// count from LatestMetric and reuses what did not change. A series' sample stays valid while its
// count is the same: every log-batch adds its points to the count in the statement that stores
// them, so a point added anywhere in the history (a later step or a back-filled one) is seen by
// every server process. Bounded by METRIC_SAMPLE_CACHE_MB (0 turns it off), least recently used out.
import { config } from "../config";
import type { MetricPoint } from "./types";

interface Entry {
  pointCount: number;
  points: MetricPoint[];
  bytes: number;
}

/** Rough heap size of a sampled point (an object of four numbers and a shared key) and of an entry. */
const POINT_BYTES = 72;
const ENTRY_BYTES = 200;

const entries = new Map<string, Entry>();
let usedBytes = 0;
let hits = 0;
let misses = 0;

const cacheKey = (runId: string, key: string, maxPoints: number) => `${runId}\u0000${key}\u0000${maxPoints}`;

function budgetBytes(): number {
  return config().METRIC_SAMPLE_CACHE_MB * 1024 * 1024;
}

/** The cached sample of a series when it was taken at this point count; a copy the caller may change. */
export function cachedSample(runId: string, key: string, maxPoints: number, pointCount: number): MetricPoint[] | undefined {
  const k = cacheKey(runId, key, maxPoints);
  const e = entries.get(k);
  if (!e || e.pointCount !== pointCount) {
    if (e) drop(k, e);
    misses++;
    return undefined;
  }
  hits++;
  // Map order is insertion order: moving the entry to the end makes the first one the least recent.
  entries.delete(k);
  entries.set(k, e);
  return e.points.slice();
}

/**
 * Keeps a sample taken at `pointCount` points. The count must have been read before the points, so
 * that a batch landing in between makes the entry look older than it is (re-read), never newer.
 */
export function storeSample(runId: string, key: string, maxPoints: number, pointCount: number, points: MetricPoint[]): void {
  const budget = budgetBytes();
  const bytes = ENTRY_BYTES + points.length * POINT_BYTES;
  if (bytes > budget) return;
  const k = cacheKey(runId, key, maxPoints);
  const old = entries.get(k);
  if (old) drop(k, old);
  entries.set(k, { pointCount, points: points.slice(), bytes });
  usedBytes += bytes;
  for (const [oldest, e] of entries) {
    if (usedBytes <= budget) break;
    drop(oldest, e);
  }
}

function drop(k: string, e: Entry): void {
  entries.delete(k);
  usedBytes -= e.bytes;
}

/** Empties the cache (tests, and a bench measuring the uncached path). */
export function clearSampleCache(): void {
  entries.clear();
  usedBytes = hits = misses = 0;
}

export function sampleCacheStats(): { series: number; bytes: number; hits: number; misses: number } {
  return { series: entries.size, bytes: usedBytes, hits, misses };
}
