// The current window of a drift report: a model's prediction log read page by page (keyset
// pagination over (createdAt, id), never the whole table), with the feedback joined to each page.
import { db, parseJson } from "../db";

export const PAGE_SIZE = 2000;
/** Values per SQL IN list. */
const IN_LIMIT = 500;
/** Input keys read per row beyond the profile's columns (so unknown fields are reported, bounded). */
const MAX_EXTRA_KEYS = 50;

export interface LogQuery {
  modelId: string;
  /** Only these versions' predictions (all versions when absent). */
  versionIds?: string[];
  start?: Date;
  end?: Date;
  /** The newest `last` predictions (within start/end when given). */
  last?: number;
}

export interface LogRow {
  id: string;
  versionId: string;
  unitId: string | null;
  createdAt: Date;
  inputs: Record<string, unknown>;
  prediction: unknown;
}

/** What the serving layer logged as the output: a bare value, an object with the prediction, or [value]. */
export function predictionOf(output: unknown): unknown {
  if (Array.isArray(output)) return output.length ? predictionOf(output[0]) : null;
  if (output !== null && typeof output === "object") {
    const o = output as Record<string, unknown>;
    for (const k of ["prediction", "label", "value", "predictions"]) if (k in o) return predictionOf(o[k]);
    return null;
  }
  return output ?? null;
}

/** Inputs as an object: a positional array is read in the order of the version's feature schema. */
export function inputsOf(inputs: unknown, featureOrder: readonly string[]): Record<string, unknown> {
  if (Array.isArray(inputs)) {
    const o: Record<string, unknown> = {};
    featureOrder.forEach((name, i) => (o[name] = inputs[i]));
    return o;
  }
  if (inputs !== null && typeof inputs === "object") {
    const o = inputs as Record<string, unknown>;
    // {"instances": [...]}-style wrappers of one row.
    if (Array.isArray(o.instances) && o.instances.length === 1) return inputsOf(o.instances[0], featureOrder);
    return o;
  }
  return {};
}

/**
 * Calls `onPage` with each page of the window, oldest first for a time window and newest first
 * for the last N. Returns the time span actually read.
 */
export async function readPredictionLog(
  q: LogQuery,
  featureOrder: readonly string[],
  onPage: (rows: LogRow[]) => Promise<void> | void,
  signal?: AbortSignal,
): Promise<{ rows: number; first: Date | null; last: Date | null }> {
  const newestFirst = q.last !== undefined;
  const order = newestFirst ? ("desc" as const) : ("asc" as const);
  const base = {
    modelId: q.modelId,
    ...(q.versionIds ? { versionId: { in: q.versionIds } } : {}),
    ...(q.start || q.end ? { createdAt: { ...(q.start ? { gte: q.start } : {}), ...(q.end ? { lt: q.end } : {}) } } : {}),
  };
  let cursor: { createdAt: Date; id: string } | null = null;
  let read = 0;
  let first: Date | null = null;
  let last: Date | null = null;
  for (;;) {
    signal?.throwIfAborted();
    const take = Math.min(PAGE_SIZE, q.last !== undefined ? q.last - read : PAGE_SIZE);
    if (take <= 0) break;
    const c: { createdAt: Date; id: string } | null = cursor;
    const after = c
      ? newestFirst
        ? { OR: [{ createdAt: { lt: c.createdAt } }, { createdAt: c.createdAt, id: { lt: c.id } }] }
        : { OR: [{ createdAt: { gt: c.createdAt } }, { createdAt: c.createdAt, id: { gt: c.id } }] }
      : {};
    const page = await db().predictionLog.findMany({
      where: { AND: [base, after] },
      orderBy: [{ createdAt: order }, { id: order }],
      take,
      select: { id: true, versionId: true, unitId: true, createdAt: true, inputs: true, output: true },
    });
    if (page.length === 0) break;
    const rows = page.map(
      (r): LogRow => ({
        id: r.id,
        versionId: r.versionId,
        unitId: r.unitId,
        createdAt: r.createdAt,
        inputs: inputsOf(parseJson(r.inputs, null), featureOrder),
        prediction: predictionOf(parseJson(r.output, null)),
      }),
    );
    for (const r of rows) {
      if (!first || r.createdAt < first) first = r.createdAt;
      if (!last || r.createdAt > last) last = r.createdAt;
    }
    read += rows.length;
    await onPage(rows);
    const tail: { createdAt: Date; id: string } = page[page.length - 1]!;
    cursor = { createdAt: tail.createdAt, id: tail.id };
    if (page.length < take) break;
  }
  return { rows: read, first, last };
}

/**
 * Columns of one page for a CurrentWindow: the profile's columns (booleans read as 1/0 in numeric
 * ones), the prediction under `predictionColumn`, and up to 50 input keys the profile does not know.
 */
export function pageColumns(
  rows: readonly LogRow[],
  profileColumns: ReadonlyMap<string, "numeric" | "categorical">,
  predictionColumn: string,
): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  const n = rows.length;
  for (const name of profileColumns.keys()) out[name] = new Array<unknown>(n).fill(null);
  let extra = 0;
  rows.forEach((r, i) => {
    for (const [k, v] of Object.entries(r.inputs)) {
      let col = out[k];
      if (!col) {
        if (k === predictionColumn || extra >= MAX_EXTRA_KEYS) continue;
        extra++;
        col = out[k] = new Array<unknown>(n).fill(null);
      }
      col[i] = typeof v === "boolean" && profileColumns.get(k) === "numeric" ? Number(v) : v;
    }
    if (profileColumns.has(predictionColumn)) {
      const p = r.prediction;
      out[predictionColumn]![i] = typeof p === "boolean" && profileColumns.get(predictionColumn) === "numeric" ? Number(p) : p;
    }
  });
  // Cells that are objects or arrays cannot be a feature value: they count as invalid/missing.
  for (const col of Object.values(out)) for (let i = 0; i < n; i++) if (col[i] !== null && typeof col[i] === "object") col[i] = String(JSON.stringify(col[i]));
  return out;
}

export interface Labelled {
  inputs: Record<string, unknown>;
  prediction: unknown;
  /** The feedback value (number or label) and its numeric form. */
  value: unknown;
  numeric: number | null;
}

/** Feedback for a page of predictions: by prediction id, else by unit id (the newest feedback wins). */
export async function feedbackFor(rows: readonly LogRow[]): Promise<Labelled[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const units = [...new Set(rows.map((r) => r.unitId).filter((u): u is string => Boolean(u)))];
  const byPrediction = [];
  const byUnit = [];
  // IN lists in slices: SQLite drivers cap the number of bound parameters of one statement.
  for (let i = 0; i < ids.length; i += IN_LIMIT) {
    byPrediction.push(
      ...(await db().feedback.findMany({ where: { predictionId: { in: ids.slice(i, i + IN_LIMIT) } }, orderBy: { createdAt: "asc" }, select: { predictionId: true, value: true, numericValue: true } })),
    );
  }
  for (let i = 0; i < units.length; i += IN_LIMIT) {
    byUnit.push(
      ...(await db().feedback.findMany({ where: { predictionId: null, unitId: { in: units.slice(i, i + IN_LIMIT) } }, orderBy: { createdAt: "asc" }, select: { unitId: true, value: true, numericValue: true } })),
    );
  }
  const pred = new Map(byPrediction.map((f) => [f.predictionId!, f]));
  const unit = new Map(byUnit.map((f) => [f.unitId!, f]));
  const out: Labelled[] = [];
  for (const r of rows) {
    const f = pred.get(r.id) ?? (r.unitId ? unit.get(r.unitId) : undefined);
    if (!f) continue;
    out.push({ inputs: r.inputs, prediction: r.prediction, value: parseJson(f.value, f.value), numeric: f.numericValue });
  }
  return out;
}
