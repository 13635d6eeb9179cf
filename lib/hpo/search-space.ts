// Search spaces inferred from finished trials, for samplers that sample parameters jointly.
import type { Distribution, SearchSpace } from "./distributions";
import { distributionsEqual, isSingle } from "./distributions";
import type { FrozenTrial } from "./types";

function finishedForSpace(trials: readonly FrozenTrial[]): FrozenTrial[] {
  return trials.filter((t) => t.state === "COMPLETE" || t.state === "PRUNED");
}

function sortedSpace(entries: [string, Distribution][]): SearchSpace {
  const out: Record<string, Distribution> = {};
  for (const [n, d] of entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) if (!isSingle(d)) out[n] = d;
  return out;
}

/** Parameters every COMPLETE or PRUNED trial asked with the same distribution (Optuna's intersection space). */
export function intersectionSearchSpace(trials: readonly FrozenTrial[]): SearchSpace {
  let space: Map<string, Distribution> | null = null;
  for (const t of finishedForSpace(trials)) {
    if (space === null) {
      space = new Map(Object.entries(t.distributions));
      continue;
    }
    for (const [n, d] of space) {
      const other = t.distributions[n];
      if (!other || !distributionsEqual(other, d)) space.delete(n);
    }
  }
  return sortedSpace(space ? [...space] : []);
}

/**
 * Partition of all asked parameters into groups that always appear together (Optuna's group-decomposed
 * space): for a conditional space each branch's parameters form a group, sampled jointly. Optuna builds
 * it by splitting groups trial by trial; the result is the same as grouping parameters by the set of
 * trials that asked them, which is what this computes in one pass.
 */
export function groupDecomposedSearchSpace(trials: readonly FrozenTrial[]): SearchSpace[] {
  const cached = groupCache.get(trials);
  if (cached) return cached;
  // Two 32-bit rolling hashes of the indices of the trials that asked each parameter.
  const signature = new Map<string, [number, number]>();
  const first = new Map<string, Distribution>();
  const conflicting = new Set<string>();
  let i = 0;
  for (const t of trials) {
    if (t.state !== "COMPLETE" && t.state !== "PRUNED") continue;
    for (const n in t.distributions) {
      const d = t.distributions[n]!;
      const seen = first.get(n);
      if (!seen) first.set(n, d);
      else if (!distributionsEqual(seen, d)) conflicting.add(n);
      const h = signature.get(n);
      if (h) {
        h[0] = (Math.imul(h[0], 0x01000193) ^ (i + 1)) >>> 0;
        h[1] = (Math.imul(h[1], 0x5bd1e995) + i * 0x9e3779b1 + 7) >>> 0;
      } else signature.set(n, [(0x811c9dc5 ^ (i + 1)) >>> 0, (i * 0x9e3779b1 + 7) >>> 0]);
    }
    i++;
  }
  const bySignature = new Map<string, [string, Distribution][]>();
  for (const [n, h] of signature) {
    const sig = `${h[0]}:${h[1]}`;
    // A parameter asked with two different distributions cannot be modelled jointly: drop it.
    if (conflicting.has(n)) continue;
    const g = bySignature.get(sig);
    if (g) g.push([n, first.get(n)!]);
    else bySignature.set(sig, [[n, first.get(n)!]]);
  }
  const out = [...bySignature.values()].map((g) => sortedSpace(g)).filter((s) => Object.keys(s).length > 0);
  groupCache.set(trials, out);
  return out;
}

// The same snapshot is asked for twice per trial (infer, then sample); snapshots are immutable.
const groupCache = new WeakMap<readonly FrozenTrial[], SearchSpace[]>();
