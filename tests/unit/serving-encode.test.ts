// The serving encoder writes exactly what lib/ml's transform() writes for the same rows (one-hot and
// ordinal categories, imputation, booleans, unknown categories), and lists problems by row and field.
import { describe, expect, it } from "vitest";
import { fitPreprocessor, signature, transform, type Row, type Table } from "@/lib/ml";
import { compileEncoder, type RowProblem } from "@/lib/serving";

function table(n: number): Table {
  const rnd = (i: number) => ((i * 2654435761) % 1000) / 1000;
  return {
    rowCount: n,
    columns: [
      { name: "x", type: "numeric", values: Float64Array.from({ length: n }, (_, i) => (i % 11 === 0 ? NaN : rnd(i) * 10 - 3)) },
      { name: "k", type: "integer", values: Float64Array.from({ length: n }, (_, i) => i % 7) },
      { name: "flag", type: "boolean", values: Float64Array.from({ length: n }, (_, i) => (i % 13 === 0 ? NaN : i % 2)) },
      { name: "color", type: "categorical", values: Array.from({ length: n }, (_, i) => (i % 17 === 0 ? null : ["red", "green", "blue", "rare" + (i % 50)][i % 4]!)) },
      { name: "note", type: "text", values: Array.from({ length: n }, (_, i) => `free text ${i}`) },
    ],
  };
}

const ROWS: Row[] = [
  { x: 1.5, k: 3, flag: true, color: "red" },
  { x: null, k: 0, flag: false, color: "blue" },
  { x: -2, k: 6, flag: null, color: null },
  { x: 100, k: 2, flag: "yes", color: "never-seen", note: "ignored" },
  { x: 0, k: 1, flag: 1, color: "green" },
];

describe("compileEncoder", () => {
  for (const categorical of ["onehot", "ordinal"] as const) {
    for (const impute of [true, false]) {
      it(`matches transform() with ${categorical} categories, impute=${impute}`, () => {
        const state = fitPreprocessor(table(400), { categorical, impute, minFrequency: 5 });
        const enc = compileEncoder(state, signature(state));
        const problems: RowProblem[] = [];
        const got = enc.encode(ROWS, problems);
        expect(problems).toEqual([]);
        const want = transform(state, ROWS.map(({ note: _note, ...r }) => r));
        expect(Array.from(got)).toEqual(Array.from(want.data));
        expect(enc.width).toBe(want.cols);
        expect(enc.ignored).toEqual(["note"]);
      });
    }
  }

  it("takes arrays in schema order like objects", () => {
    const state = fitPreprocessor(table(400));
    const enc = compileEncoder(state, signature(state));
    const names = signature(state).map((f) => f.name);
    const arrays = ROWS.map((r) => names.map((n) => r[n] ?? null));
    expect(Array.from(enc.encode(arrays, []))).toEqual(Array.from(enc.encode(ROWS, [])));
  });

  it("lists each problem by row and field", () => {
    const state = fitPreprocessor(table(400));
    const enc = compileEncoder(state, signature(state));
    const problems: RowProblem[] = [];
    enc.encode([{ x: "1", k: 1, flag: true, color: "red" }, { k: 1, flag: true, color: { a: 1 }, extra: 2 }, [1, 2], 7], problems);
    expect(problems).toEqual([
      { row: 0, field: "x", message: expect.stringMatching(/expects a number, got the string "1"/) },
      { row: 1, field: "x", message: expect.stringMatching(/missing/) },
      { row: 1, field: "color", message: expect.stringMatching(/expects a category/) },
      { row: 1, field: "extra", message: "is not a feature of this model" },
      { row: 2, field: null, message: expect.stringMatching(/has 2 values; the model takes 4/) },
      { row: 3, field: null, message: expect.stringMatching(/must be an object/) },
    ]);
  });
});
