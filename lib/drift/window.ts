// The current window, fed in chunks (a prediction log page by page, a CSV block by block).
// Each numeric column is kept exactly up to `exactLimit` values, then continues in a KLL sketch,
// so ten million rows take the same memory as one million.

import {
  accumulatorFor,
  feed,
  listColumns,
  NumericAccumulator,
  type Accumulator,
  type ColumnSummary,
} from "./columns";
import type { EmpiricalDistribution } from "./distribution";
import type { ReferenceProfile } from "./profile";
import type { ColumnType, ColumnsInput } from "./types";

export interface WindowOptions {
  /** Values per numeric column kept exactly (default 1,000,000 — 8 MB a column). */
  exactLimit?: number;
  /** KLL parameter beyond that (default 4096). */
  sketchK?: number;
}

export const WINDOW_EXACT_LIMIT = 1_000_000;
export const WINDOW_SKETCH_K = 4096;

export class CurrentWindow {
  private readonly accs = new Map<string, Accumulator>();
  private readonly pad = new Map<string, number>();
  private readonly seen = new Set<string>();
  private count = 0;

  /** `types`: each reference column's type (a profile supplies them); other columns are only noted. */
  constructor(
    private readonly types: ReadonlyMap<string, ColumnType>,
    private readonly options: WindowOptions = {},
  ) {}

  static forProfile(profile: ReferenceProfile, options: WindowOptions = {}): CurrentWindow {
    const types = new Map<string, ColumnType>();
    for (const c of profile.columns) if (c.type !== "unknown") types.set(c.name, c.type);
    return new CurrentWindow(types, options);
  }

  add(columns: ColumnsInput): this {
    const list = listColumns(columns);
    let rows = 0;
    for (const c of list) rows = Math.max(rows, c.values.length);
    const present = new Set<string>();
    for (const c of list) {
      this.seen.add(c.name);
      present.add(c.name);
      const type = this.types.get(c.name);
      if (!type) continue;
      let acc = this.accs.get(c.name);
      if (!acc) {
        acc = accumulatorFor(type, {
          exactLimit: this.options.exactLimit ?? WINDOW_EXACT_LIMIT,
          sketchK: this.options.sketchK ?? WINDOW_SKETCH_K,
        });
        this.accs.set(c.name, acc);
        // Rows of earlier chunks without this column are missing values.
        if (this.count) this.pad.set(c.name, this.count);
      }
      feed(acc, c.values, c.invalid);
      if (c.values.length < rows) this.pad.set(c.name, (this.pad.get(c.name) ?? 0) + rows - c.values.length);
    }
    for (const name of this.accs.keys()) if (!present.has(name)) this.pad.set(name, (this.pad.get(name) ?? 0) + rows);
    this.count += rows;
    return this;
  }

  get rows(): number {
    return this.count;
  }

  /** Every column name seen in any chunk. */
  get columnNames(): string[] {
    return [...this.seen];
  }

  has(name: string): boolean {
    return this.seen.has(name);
  }

  /** Starts sorting a column ahead of summary() (see parallel.ts). */
  prepare(name: string): void {
    const acc = this.accs.get(name);
    if (acc instanceof NumericAccumulator) acc.prepare();
  }

  /**
   * The column's summary, with rows of chunks that lacked it counted as missing; null if never seen.
   * `against`: a sketched reference to summarise against without sorting (see against.ts).
   */
  summary(name: string, against?: EmpiricalDistribution): ColumnSummary | null {
    const acc = this.accs.get(name);
    if (!acc) return null;
    const s = against && acc instanceof NumericAccumulator ? acc.summaryAgainst(against) : acc.summary();
    const pad = this.pad.get(name) ?? 0;
    return pad ? { ...s, missing: s.missing + pad } : s;
  }
}
