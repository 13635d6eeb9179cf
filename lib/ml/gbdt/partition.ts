// Partition of a leaf's row segment by a split, stable and in place: left rows stay in front, right
// rows go through a scratch array. Branch-free: every row is written to both sides and one cursor advances.

/** Stable in-place partition: left rows stay in front, right rows go through scratch. Returns the left count. */
export function partitionNumeric(
  idx: Uint32Array,
  scratch: Uint32Array,
  col: Uint8Array,
  begin: number,
  count: number,
  thr: number,
  missing: number,
  defaultLeft: number,
): number {
  let l = begin;
  let r = 0;
  const end = begin + count;
  // Missing is the highest bin: mapping it to 0 (missing left) or 255 (right) makes the test one compare.
  const missTo = defaultLeft === 1 ? 0 : 255;
  for (let k = begin; k < end; k++) {
    const row = idx[k]!;
    const b = col[row]!;
    // Branch-free: the row is written to both sides and only one cursor advances (the direction is a coin flip for the predictor).
    // (thr - bin) >>> 31 is 1 exactly when bin > thr: a compare without a branch.
    const goLeft = ((thr - (b === missing ? missTo : b)) >>> 31) ^ 1;
    idx[l] = row;
    scratch[r] = row;
    l += goLeft;
    r += 1 - goLeft;
  }
  idx.set(scratch.subarray(0, r), l);
  return l - begin;
}

export function partitionCategorical(
  idx: Uint32Array,
  scratch: Uint32Array,
  col: Uint8Array,
  begin: number,
  count: number,
  flags: Uint8Array,
  base: number,
): number {
  let l = begin;
  let r = 0;
  const end = begin + count;
  for (let k = begin; k < end; k++) {
    const row = idx[k]!;
    const goLeft = flags[base + col[row]!]!;
    idx[l] = row;
    scratch[r] = row;
    l += goLeft;
    r += 1 - goLeft;
  }
  idx.set(scratch.subarray(0, r), l);
  return l - begin;
}
