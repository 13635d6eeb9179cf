// The columnar table every part of lib/ml reads. lib/datasets produces it; lib/ml never depends on lib/datasets.

export type ColumnType = "numeric" | "integer" | "categorical" | "boolean" | "datetime" | "text";
export type NumericColumnType = "numeric" | "integer" | "boolean" | "datetime";
export type StringColumnType = "categorical" | "text";

/** numeric, integer, boolean (0/1), datetime (ms since epoch); NaN = missing. */
export interface NumericColumn {
  readonly name: string;
  readonly type: NumericColumnType;
  readonly values: Float64Array;
}

/** categorical, text; null = missing. */
export interface StringColumn {
  readonly name: string;
  readonly type: StringColumnType;
  readonly values: readonly (string | null)[];
}

export type Column = NumericColumn | StringColumn;

export interface Table {
  readonly rowCount: number;
  readonly columns: readonly Column[];
}

/** One input row as the serving layer receives it (JSON object keyed by column name). */
export type Row = Readonly<Record<string, unknown>>;

export function isNumericColumn(c: Column): c is NumericColumn {
  return c.type !== "categorical" && c.type !== "text";
}

export function findColumn(table: Table, name: string): Column | undefined {
  return table.columns.find((c) => c.name === name);
}

/** A new table holding the given rows, in the given order. */
export function takeRows(table: Table, rows: ArrayLike<number>): Table {
  const n = rows.length;
  const columns = table.columns.map((c): Column => {
    if (isNumericColumn(c)) {
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) values[i] = c.values[rows[i]!]!;
      return { name: c.name, type: c.type, values };
    }
    const values = new Array<string | null>(n);
    for (let i = 0; i < n; i++) values[i] = c.values[rows[i]!] ?? null;
    return { name: c.name, type: c.type, values };
  });
  return { rowCount: n, columns };
}
