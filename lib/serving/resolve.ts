// Which version serves a request: a model name, then an alias (default `champion`) or a version number.
// Lookups are cached for ALIAS_TTL_MS and refreshed in the background: a stale entry keeps serving
// while its replacement (alias row read AND new model loaded) is prepared, then swaps in one
// assignment. So a promotion takes effect within about a second, and no request waits on or fails
// because of it.
import { db } from "../db";
import { AppError, conflict, notFound } from "../errors";
import { logger } from "../observability";
import { servedVersion, type ServedModel } from "./served";

export const CHAMPION = "champion";
export const ALIAS_TTL_MS = 1_000;

export interface ModelRef {
  readonly id: string;
  readonly name: string;
}

interface Entry<T> {
  /** Last good answer: a value, or the error to throw (not found, no champion). */
  value: T | undefined;
  error: AppError | undefined;
  fetchedAt: number;
  refreshing: Promise<void> | null;
}

interface Caches {
  models: Map<string, Entry<ModelRef>>;
  targets: Map<string, Entry<ServedModel>>;
}

const g = globalThis as unknown as { __mlopsServingResolve?: Caches };
function caches(): Caches {
  return (g.__mlopsServingResolve ??= { models: new Map(), targets: new Map() });
}

const MAX_ENTRIES = 10_000;

/**
 * Reads through an SWR cache: fresh → cached answer; stale → cached answer now, refresh in the
 * background; empty → wait for the first answer. Only AppErrors (404, 409) are cached as answers;
 * other failures (database down) keep the last good answer, or propagate when there is none.
 */
function cached<T>(map: Map<string, Entry<T>>, key: string, fetch: () => Promise<T>): T | Promise<T> {
  const now = Date.now();
  let e = map.get(key);
  if (e && (e.value !== undefined || e.error)) {
    if (now - e.fetchedAt > ALIAS_TTL_MS && !e.refreshing) e.refreshing = refresh(e, fetch, true);
    if (e.error) throw e.error;
    return e.value!;
  }
  if (!e) {
    if (map.size >= MAX_ENTRIES) map.clear();
    e = { value: undefined, error: undefined, fetchedAt: 0, refreshing: null };
    map.set(key, e);
  }
  const entry = e;
  entry.refreshing ??= refresh(entry, fetch, false);
  return entry.refreshing.then(() => {
    if (entry.error) throw entry.error;
    if (entry.value === undefined) throw new AppError("unavailable", "The model could not be resolved; retry");
    return entry.value;
  });
}

function refresh<T>(e: Entry<T>, fetch: () => Promise<T>, background: boolean): Promise<void> {
  return fetch().then(
    (v) => {
      e.value = v;
      e.error = undefined;
      e.fetchedAt = Date.now();
      e.refreshing = null;
    },
    (err: unknown) => {
      e.refreshing = null;
      if (err instanceof AppError && err.code !== "unavailable" && err.code !== "internal") {
        e.error = err;
        e.value = undefined;
        e.fetchedAt = Date.now();
        return;
      }
      if (background) {
        // Keep serving the last good answer; try again on the next request after a short pause.
        e.fetchedAt = Date.now();
        logger().warn({ err }, "serving: refreshing a cached model lookup failed; still serving the cached one");
        return;
      }
      throw err;
    },
  );
}

export function modelRef(name: string): ModelRef | Promise<ModelRef> {
  return cached(caches().models, name, async () => {
    const row = await db().registeredModel.findUnique({ where: { name }, select: { id: true, name: true } });
    if (!row) throw notFound("Registered model", name);
    return row;
  });
}

function settle(v: ServedModel | Promise<ServedModel>): Promise<ServedModel> {
  return v instanceof Promise ? v : Promise.resolve(v);
}

/** The version an alias names, loaded; `champion` missing is a 409 that says what to do. */
export function aliasTarget(ref: ModelRef, alias: string): ServedModel | Promise<ServedModel> {
  return cached(caches().targets, `${ref.id}\u0000a:${alias}`, async () => {
    const row = await db().modelAlias.findUnique({ where: { modelId_alias: { modelId: ref.id, alias } }, select: { versionId: true } });
    if (!row) {
      if (alias === CHAMPION) {
        throw conflict(
          `Model '${ref.name}' has no champion version. Promote one (POST /api/v1/models/${ref.name}/promote {"version": N}, or \`mlops models promote ${ref.name} N\`), or ask for a version with ?version=N or ?alias=NAME`,
        );
      }
      throw notFound(`Alias '${alias}' of model`, ref.name);
    }
    // Loaded before the swap: requests keep the previous version until the new one is ready.
    return settle(servedVersion(row.versionId));
  });
}

export function versionTarget(ref: ModelRef, version: number): ServedModel | Promise<ServedModel> {
  return cached(caches().targets, `${ref.id}\u0000v:${version}`, async () => {
    const row = await db().modelVersion.findUnique({ where: { modelId_version: { modelId: ref.id, version } }, select: { id: true } });
    if (!row) throw notFound(`Version ${version} of model`, ref.name);
    return settle(servedVersion(row.id));
  });
}

/** Forgets cached lookups (tests, or after a change this process made and wants seen at once). */
export function clearResolveCache(): void {
  const c = caches();
  c.models.clear();
  c.targets.clear();
}
