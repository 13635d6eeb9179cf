// The flattened forest: every tree's internal nodes and leaves in shared typed arrays, so scoring is
// index arithmetic with no object per node. Child references: >= 0 is an internal node, < 0 is leaf ~ref.
//
// Numeric node: value <= threshold → left, NaN → `missing` (left or right), else right.
// Categorical node (catOffset >= 0): a non-negative integer code whose bit is set in
// catBits[catOffset .. catOffset + catWords) → left; other codes (rare or unseen at training) → right;
// NaN, negative or non-integer → `missing`.

export interface ForestArrays {
  /** Internal nodes and leaves per tree; tree t's nodes follow tree t-1's. */
  treeNodes: Int32Array;
  treeLeaves: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  missing: Int32Array;
  catOffset: Int32Array;
  catWords: Int32Array;
  /** Split gain and training rows reaching the node (for importance and explanations). */
  gain: Float64Array;
  nodeCount: Int32Array;
  catBits: Uint32Array;
  leafValue: Float64Array;
  leafCount: Int32Array;
}

/** Root reference of every tree, derived from the per-tree counts. */
export function treeRoots(f: ForestArrays): Int32Array {
  const n = f.treeNodes.length;
  const roots = new Int32Array(n);
  let node = 0;
  let leaf = 0;
  for (let t = 0; t < n; t++) {
    roots[t] = f.treeNodes[t]! > 0 ? node : ~leaf;
    node += f.treeNodes[t]!;
    leaf += f.treeLeaves[t]!;
  }
  return roots;
}

/** Leaf reached by one row (X[base + feature]) from `root`. */
export function leafOf(f: ForestArrays, root: number, X: ArrayLike<number>, base: number): number {
  const feature = f.feature;
  const threshold = f.threshold;
  const left = f.left;
  const right = f.right;
  const missing = f.missing;
  const catOffset = f.catOffset;
  let node = root;
  while (node >= 0) {
    const v = X[base + feature[node]!]!;
    const co = catOffset[node]!;
    if (co < 0) {
      node = v <= threshold[node]! ? left[node]! : v === v ? right[node]! : missing[node]!;
    } else if (v >= 0 && (v | 0) === v) {
      const w = v >>> 5;
      node = w < f.catWords[node]! && (f.catBits[co + w]! >>> (v & 31)) & 1 ? left[node]! : right[node]!;
    } else {
      node = missing[node]!;
    }
  }
  return ~node;
}

/** Growable arrays the trainer appends trees to; `snapshot` trims them to a ForestArrays. */
export class ForestBuilder {
  private nTrees = 0;
  private nNodes = 0;
  private nLeaves = 0;
  private nCatWords = 0;
  treeNodes: Int32Array = new Int32Array(64);
  treeLeaves: Int32Array = new Int32Array(64);
  feature: Int32Array = new Int32Array(1024);
  threshold: Float64Array = new Float64Array(1024);
  left: Int32Array = new Int32Array(1024);
  right: Int32Array = new Int32Array(1024);
  missing: Int32Array = new Int32Array(1024);
  catOffset: Int32Array = new Int32Array(1024);
  catWords: Int32Array = new Int32Array(1024);
  gain: Float64Array = new Float64Array(1024);
  nodeCount: Int32Array = new Int32Array(1024);
  catBits: Uint32Array = new Uint32Array(256);
  leafValue: Float64Array = new Float64Array(1024);
  leafCount: Int32Array = new Int32Array(1024);

  get trees(): number {
    return this.nTrees;
  }

  /** Starts a tree; returns the global indices its local node 0 and leaf 0 get. */
  beginTree(nodes: number, leaves: number): { nodeBase: number; leafBase: number } {
    this.ensureTrees(this.nTrees + 1);
    this.ensureNodes(this.nNodes + nodes);
    this.ensureLeaves(this.nLeaves + leaves);
    this.treeNodes[this.nTrees] = nodes;
    this.treeLeaves[this.nTrees] = leaves;
    this.nTrees++;
    const out = { nodeBase: this.nNodes, leafBase: this.nLeaves };
    this.nNodes += nodes;
    this.nLeaves += leaves;
    return out;
  }

  /** Reserves `words` 32-bit words of categorical bitset; returns their offset. */
  allocCatWords(words: number): number {
    const need = this.nCatWords + words;
    if (need > this.catBits.length) this.catBits = grow(this.catBits, need) as Uint32Array;
    const off = this.nCatWords;
    this.nCatWords = need;
    return off;
  }

  /** Keeps the first `trees` trees (early stopping's best iteration). */
  truncate(trees: number): void {
    let nodes = 0;
    let leaves = 0;
    for (let t = 0; t < trees; t++) {
      nodes += this.treeNodes[t]!;
      leaves += this.treeLeaves[t]!;
    }
    let words = 0;
    for (let i = 0; i < nodes; i++) {
      const co = this.catOffset[i]!;
      if (co >= 0) words = Math.max(words, co + this.catWords[i]!);
    }
    this.nTrees = trees;
    this.nNodes = nodes;
    this.nLeaves = leaves;
    this.nCatWords = words;
  }

  /** Current arrays without copying, for scoring during training. */
  view(): ForestArrays {
    return {
      treeNodes: this.treeNodes.subarray(0, this.nTrees),
      treeLeaves: this.treeLeaves.subarray(0, this.nTrees),
      feature: this.feature,
      threshold: this.threshold,
      left: this.left,
      right: this.right,
      missing: this.missing,
      catOffset: this.catOffset,
      catWords: this.catWords,
      gain: this.gain,
      nodeCount: this.nodeCount,
      catBits: this.catBits,
      leafValue: this.leafValue,
      leafCount: this.leafCount,
    };
  }

  /** Trimmed copies. */
  snapshot(): ForestArrays {
    const n = this.nNodes;
    const l = this.nLeaves;
    return {
      treeNodes: this.treeNodes.slice(0, this.nTrees),
      treeLeaves: this.treeLeaves.slice(0, this.nTrees),
      feature: this.feature.slice(0, n),
      threshold: this.threshold.slice(0, n),
      left: this.left.slice(0, n),
      right: this.right.slice(0, n),
      missing: this.missing.slice(0, n),
      catOffset: this.catOffset.slice(0, n),
      catWords: this.catWords.slice(0, n),
      gain: this.gain.slice(0, n),
      nodeCount: this.nodeCount.slice(0, n),
      catBits: this.catBits.slice(0, this.nCatWords),
      leafValue: this.leafValue.slice(0, l),
      leafCount: this.leafCount.slice(0, l),
    };
  }

  private ensureTrees(n: number): void {
    if (n <= this.treeNodes.length) return;
    this.treeNodes = grow(this.treeNodes, n) as Int32Array;
    this.treeLeaves = grow(this.treeLeaves, n) as Int32Array;
  }

  private ensureNodes(n: number): void {
    if (n <= this.feature.length) return;
    this.feature = grow(this.feature, n) as Int32Array;
    this.threshold = grow(this.threshold, n) as Float64Array;
    this.left = grow(this.left, n) as Int32Array;
    this.right = grow(this.right, n) as Int32Array;
    this.missing = grow(this.missing, n) as Int32Array;
    this.catOffset = grow(this.catOffset, n) as Int32Array;
    this.catWords = grow(this.catWords, n) as Int32Array;
    this.gain = grow(this.gain, n) as Float64Array;
    this.nodeCount = grow(this.nodeCount, n) as Int32Array;
  }

  private ensureLeaves(n: number): void {
    if (n <= this.leafValue.length) return;
    this.leafValue = grow(this.leafValue, n) as Float64Array;
    this.leafCount = grow(this.leafCount, n) as Int32Array;
  }
}

type Typed = Int32Array | Uint32Array | Float64Array;

function grow(a: Typed, need: number): Typed {
  let cap = a.length * 2;
  while (cap < need) cap *= 2;
  const out = new (a.constructor as new (n: number) => Typed)(cap);
  out.set(a);
  return out;
}
