// Metric histories, optionally downsampled on the server (LTTB) so charts never receive more
// points than they can draw.
import { db } from "../db";
import { invalid, notFound } from "../errors";
import { sampleMetricHistories } from "./history-sample";
import { lttb } from "./lttb";
import { metricValueOf } from "./rows";
import { checkRunId } from "./runs";
import { keySchema } from "./schemas";
import type { MetricPoint } from "./types";

const MAX_RUNS_PER_CALL = 100;

/** Keeps at most `maxPoints` points. NaN and ±Infinity cannot be drawn and are left out of a downsampled series. */
export function downsample(points: MetricPoint[], maxPoints?: number): MetricPoint[] {
  if (!maxPoints || points.length <= maxPoints) return points;
  const finite = points.filter((p) => Number.isFinite(p.value));
  return lttb(finite, maxPoints, (p) => p.step, (p) => p.value);
}

function checkKey(key: string): string {
  if (!keySchema.safeParse(key).success) throw invalid(`'${key.slice(0, 100)}' is not a metric name`);
  return key;
}

/** Every logged point of one metric of a run, by step then time. */
export async function getMetricHistory(runId: string, key: string, opts: { maxPoints?: number } = {}): Promise<MetricPoint[]> {
  checkRunId(runId);
  checkKey(key);
  const [run, rows] = await Promise.all([
    db().run.findUnique({ where: { id: runId }, select: { id: true } }),
    db().metric.findMany({
      where: { runId, key },
      select: { value: true, isNan: true, step: true, timestamp: true },
      orderBy: [{ step: "asc" }, { timestamp: "asc" }, { id: "asc" }],
    }),
  ]);
  if (!run) throw notFound("Run", runId);
  const points = rows.map((r) => ({ key, value: metricValueOf(r), step: Number(r.step), timestamp: Number(r.timestamp) }));
  return downsample(points, opts.maxPoints);
}

/**
 * Histories of some metrics for several runs (a compare view): runId → key → points. With
 * `maxPoints` the series are sampled in SQL and reduced with LTTB (sampleMetricHistories), so 100
 * runs × 10,000 steps never travel whole; without it every point is read.
 */
export async function getMetricHistories(
  runIds: string[],
  keys: string[],
  opts: { maxPoints?: number } = {},
): Promise<Record<string, Record<string, MetricPoint[]>>> {
  if (opts.maxPoints) return sampleMetricHistories(runIds, keys, opts.maxPoints);
  if (runIds.length > MAX_RUNS_PER_CALL) throw invalid(`Compare at most ${MAX_RUNS_PER_CALL} runs at once`);
  runIds.forEach(checkRunId);
  keys.forEach(checkKey);
  const out: Record<string, Record<string, MetricPoint[]>> = {};
  for (const id of runIds) out[id] = Object.fromEntries(keys.map((k) => [k, [] as MetricPoint[]]));
  if (!runIds.length || !keys.length) return out;
  const rows = await db().metric.findMany({
    where: { runId: { in: runIds }, key: { in: keys } },
    select: { runId: true, key: true, value: true, isNan: true, step: true, timestamp: true },
    orderBy: [{ runId: "asc" }, { key: "asc" }, { step: "asc" }, { timestamp: "asc" }, { id: "asc" }],
  });
  for (const r of rows) {
    out[r.runId]![r.key]!.push({ key: r.key, value: metricValueOf(r), step: Number(r.step), timestamp: Number(r.timestamp) });
  }
  return out;
}

/** The metric names logged in some experiments (columns for a runs table). */
export async function listMetricKeys(experimentIds: string[]): Promise<string[]> {
  const rows = await db().latestMetric.findMany({
    where: experimentIds.length ? { run: { experimentId: { in: experimentIds.map(Number) } } } : {},
    distinct: ["key"],
    select: { key: true },
    orderBy: { key: "asc" },
  });
  return rows.map((r) => r.key);
}

/** The param names logged in some experiments. */
export async function listParamKeys(experimentIds: string[]): Promise<string[]> {
  const rows = await db().param.findMany({
    where: experimentIds.length ? { run: { experimentId: { in: experimentIds.map(Number) } } } : {},
    distinct: ["key"],
    select: { key: true },
    orderBy: { key: "asc" },
  });
  return rows.map((r) => r.key);
}
