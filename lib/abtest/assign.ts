// Arm assignment on the hot predict path. The running test of a model is cached in memory for a short
// TTL, so a predict call costs no database round trip; start/pause/stop in this process invalidate it.
import { db } from "../db";

export interface ArmAssignment {
  testId: string;
  arm: string;
  versionId: string;
  version: string;
  shadow?: { versionId: string; version: string } | null;
}

export const BUCKETS = 10_000;
const TTL_MS = 1_500;

interface CachedArm {
  name: string;
  versionId: string;
  version: string;
  /** Exclusive upper bucket bound: bucket < upper lands in this arm. */
  upper: number;
}

export interface RunningTest {
  testId: string;
  arms: CachedArm[];
  shadow: { versionId: string; version: string } | null;
}

interface Entry {
  expires: number;
  value: Promise<RunningTest | null>;
  /** The answer once the load settled: lets the predict path assign without a promise. */
  settled: { test: RunningTest | null } | null;
  refreshing: boolean;
}

const g = globalThis as unknown as { __mlopsAbCache?: Map<string, Entry> };
function cache(): Map<string, Entry> {
  return (g.__mlopsAbCache ??= new Map());
}

/** Drops the cached running test of one model (or all), so the next call reads the database. */
export function invalidateAssignmentCache(modelId?: string): void {
  if (modelId === undefined) cache().clear();
  else cache().delete(modelId);
}

/** Buckets from arm weights (percent, summing to 100), in arm order. */
export function bucketBounds(weights: number[]): number[] {
  let acc = 0;
  return weights.map((w) => {
    acc += w;
    return Math.round((acc * BUCKETS) / 100);
  });
}

/**
 * Bucket of a unit in a test: 32-bit FNV-1a of "testId:unitId" with murmur3's finalizer (FNV alone
 * mixes the last characters poorly), reduced to 0…9999. Deterministic across processes and restarts.
 */
export function bucketOf(testId: string, unitId: string): number {
  let h = 0x811c9dc5;
  const key = `${testId}:${unitId}`;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % BUCKETS;
}

async function loadRunning(modelId: string): Promise<RunningTest | null> {
  const test = await db().abTest.findFirst({
    where: { modelId, state: "running" },
    include: { arms: { include: { version: { select: { version: true } } }, orderBy: { name: "asc" } } },
  });
  if (!test) return null;
  const live = test.arms.filter((a) => !a.isShadow).sort(byArmOrder(test.config));
  const bounds = bucketBounds(live.map((a) => a.weight));
  const shadowArm = test.arms.find((a) => a.isShadow);
  return {
    testId: test.id,
    arms: live.map((a, i) => ({ name: a.name, versionId: a.versionId, version: String(a.version.version), upper: bounds[i]! })),
    shadow: shadowArm ? { versionId: shadowArm.versionId, version: String(shadowArm.version.version) } : null,
  };
}

/** Arms keep the order they were declared in (stored in config.arm_order), so buckets never move. */
function byArmOrder(config: string): (a: { name: string }, b: { name: string }) => number {
  let order: string[] = [];
  try {
    const parsed = JSON.parse(config) as { arm_order?: unknown };
    if (Array.isArray(parsed.arm_order)) order = parsed.arm_order.map(String);
  } catch {
    // a config that is not JSON keeps name order
  }
  const rank = (n: string) => {
    const i = order.indexOf(n);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return (a, b) => rank(a.name) - rank(b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** The running test of a model, from the cache when fresh. */
export function runningTest(modelId: string): Promise<RunningTest | null> {
  const now = Date.now();
  const hit = cache().get(modelId);
  if (hit && hit.expires > now) return hit.value;
  const entry: Entry = { expires: now + TTL_MS, value: null as unknown as Promise<RunningTest | null>, settled: null, refreshing: false };
  entry.value = loadRunning(modelId).then(
    (test) => {
      entry.settled = { test };
      return test;
    },
    (err: unknown) => {
      if (cache().get(modelId) === entry) cache().delete(modelId); // do not cache a failure
      throw err;
    },
  );
  cache().set(modelId, entry);
  return entry.value;
}

/**
 * runningTest() for the predict hot path: the loaded answer without a promise. A stale one keeps
 * serving while one background read replaces it, so no request waits on the database every TTL_MS
 * (a test started or stopped in another process is seen within TTL_MS plus one query).
 */
function runningTestNow(modelId: string): RunningTest | null | Promise<RunningTest | null> {
  const hit = cache().get(modelId);
  if (!hit?.settled) return runningTest(modelId);
  if (hit.expires <= Date.now() && !hit.refreshing) {
    hit.refreshing = true;
    loadRunning(modelId).then(
      (test) => {
        hit.refreshing = false;
        hit.settled = { test };
        hit.value = Promise.resolve(test);
        hit.expires = Date.now() + TTL_MS;
      },
      () => {
        // The database is unreachable: keep the last answer, try again after TTL_MS.
        hit.refreshing = false;
        hit.expires = Date.now() + TTL_MS;
      },
    );
  }
  return hit.settled.test;
}

export function pickArm(test: RunningTest, unitId: string | undefined): ArmAssignment | null {
  if (test.arms.length === 0) return null;
  const bucket = unitId === undefined || unitId === "" ? Math.floor(Math.random() * BUCKETS) : bucketOf(test.testId, unitId);
  const arm = test.arms.find((a) => bucket < a.upper) ?? test.arms[test.arms.length - 1]!;
  return { testId: test.testId, arm: arm.name, versionId: arm.versionId, version: arm.version, shadow: test.shadow };
}

/**
 * The arm that serves this unit, or null when no test is running on the registered model
 * (modelId = RegisteredModel.id). Sticky: the same (test, unit) always gets the same arm.
 */
export async function assignArm(modelId: string, unitId: string | undefined): Promise<ArmAssignment | null> {
  const test = await runningTest(modelId);
  return test ? pickArm(test, unitId) : null;
}

/** assignArm() for the predict path: synchronous once the model's running test is loaded. */
export function assignArmNow(modelId: string, unitId: string | undefined): ArmAssignment | null | Promise<ArmAssignment | null> {
  const test = runningTestNow(modelId);
  if (test instanceof Promise) return test.then((t) => (t ? pickArm(t, unitId) : null));
  return test ? pickArm(test, unitId) : null;
}
