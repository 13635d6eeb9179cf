import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { parseFilter, parseOrderBy } from "@/lib/tracking/filter";
import { buildRunSearchSql } from "@/lib/tracking/filter/sql";

function failure(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error("expected the parser to fail");
}

describe("parseFilter", () => {
  it("parses comparisons joined by AND", () => {
    expect(parseFilter("metrics.accuracy > 0.9 and params.lr = '0.01' AND tags.team = 'x'")).toEqual([
      { entity: "metric", key: "accuracy", op: ">", value: 0.9, position: 1 },
      { entity: "param", key: "lr", op: "=", value: "0.01", position: 28 },
      { entity: "tag", key: "team", op: "=", value: "x", position: 51 },
    ]);
  });

  it("parses attributes, aliases, lists, LIKE/ILIKE and null checks", () => {
    const f = parseFilter(
      "attributes.status = 'FINISHED' and run_name LIKE '%x%' and attr.start_time >= 1700000000000 and created < 5 and " +
        "tags.team IN ('a', \"b\") and params.opt NOT IN ('sgd') and tags.note ILIKE 'A%' and metrics.loss IS NULL and tags.x IS NOT NULL",
    );
    expect(f.map((c) => [c.entity, c.key, c.op, c.value])).toEqual([
      ["attribute", "status", "=", "FINISHED"],
      ["attribute", "run_name", "LIKE", "%x%"],
      ["attribute", "start_time", ">=", 1700000000000],
      ["attribute", "start_time", "<", 5],
      ["tag", "team", "IN", ["a", "b"]],
      ["param", "opt", "NOT IN", ["sgd"]],
      ["tag", "note", "ILIKE", "A%"],
      ["metric", "loss", "IS NULL", null],
      ["tag", "x", "IS NOT NULL", null],
    ]);
  });

  it("reads quoted and dotted keys", () => {
    expect(parseFilter("metrics.`val loss` < 1e-3 and tags.\"my-tag\" != 'v' and tags.mlflow.runName = 'r' and metrics.train/loss <= -2")).toEqual([
      expect.objectContaining({ entity: "metric", key: "val loss", op: "<", value: 0.001 }),
      expect.objectContaining({ entity: "tag", key: "my-tag", op: "!=" }),
      expect.objectContaining({ entity: "tag", key: "mlflow.runName", value: "r" }),
      expect.objectContaining({ entity: "metric", key: "train/loss", value: -2 }),
    ]);
  });

  it("accepts an empty filter", () => {
    expect(parseFilter("   ")).toEqual([]);
  });

  it("keeps quotes and SQL inside a value as plain text", () => {
    const [c] = parseFilter("params.x = '1'' OR 1=1 --'");
    expect(c).toMatchObject({ entity: "param", key: "x", op: "=", value: "1' OR 1=1 --" });
    expect(parseFilter("params.x = 'a; DROP TABLE \"Run\"; --'")[0]!.value).toBe('a; DROP TABLE "Run"; --');
  });

  it.each([
    ["metrics.acc > ", 15, /expected a value/],
    ["metrics.acc >> 1", 14, /expected a value/],
    ["metrics.acc ~ 1", 13, /expected an operator/],
    ["foo.bar = 'x'", 1, /unknown prefix 'foo'/],
    ["params.lr = 0.01", 13, /put the value in quotes/],
    ["metrics.acc = 'high'", 15, /compared with a number/],
    ["params.lr > '0.1'", 1, /'>' does not apply to params.lr/],
    ["metrics.acc > 1 or params.lr = 'x'", 17, /OR is not supported/],
    ["metrics.acc > 1 and", 20, /expected a condition after AND/],
    ["tags.t = 'open", 10, /unterminated string/],
    ["tags.t IN ('a' 'b')", 16, /expected ',' or '\)'/],
    ["unknown_attr = 'x'", 1, /unknown attribute 'unknown_attr'/],
    ["metrics.acc > 1 metrics.b > 2", 17, /expected AND/],
  ])("rejects %j at position %i", (filter, position, message) => {
    const err = failure(() => parseFilter(filter));
    expect(err.code).toBe("invalid");
    expect(err.message).toMatch(new RegExp(`position ${position}\\b`));
    expect(err.message).toMatch(message);
    expect(err.details).toMatchObject({ position });
  });
});

describe("parseOrderBy", () => {
  it("parses direction and entity", () => {
    expect(parseOrderBy("metrics.accuracy DESC")).toEqual({ entity: "metric", key: "accuracy", descending: true });
    expect(parseOrderBy("attributes.start_time")).toEqual({ entity: "attribute", key: "start_time", descending: false });
    expect(parseOrderBy("params.`learning rate` asc")).toEqual({ entity: "param", key: "learning rate", descending: false });
  });

  it("rejects what it does not understand", () => {
    expect(failure(() => parseOrderBy("metrics.accuracy DOWN")).message).toMatch(/position 18: expected ASC or DESC/);
    expect(failure(() => parseOrderBy("bogus")).message).toMatch(/unknown attribute/);
  });
});

describe("buildRunSearchSql", () => {
  const base = { experimentIds: [3], order: [], view: "active" as const, limit: 101, offset: 0 };

  it("binds every value as a parameter", () => {
    const comparisons = parseFilter("params.x = '1'' OR 1=1 --' and metrics.acc > 0.5 and tags.t IN ('a','b')");
    for (const kind of ["sqlite", "postgres"] as const) {
      const { sql, params } = buildRunSearchSql(kind, { ...base, comparisons, order: [parseOrderBy("metrics.acc DESC")] });
      expect(sql).not.toContain("OR 1=1");
      expect(sql).not.toContain("'a'");
      expect(params).toEqual(["acc", 3, "active", "x", "1' OR 1=1 --", "acc", 0.5, "t", "a", "b", 101, 0]);
      if (kind === "postgres") expect(sql).toContain("$12");
      else expect(sql.match(/\?/g)).toHaveLength(12);
    }
  });

  it("makes LIKE case-sensitive on SQLite (GLOB) and disables escapes on PostgreSQL", () => {
    const comparisons = parseFilter("attributes.run_name LIKE 'a_b%*'");
    expect(buildRunSearchSql("sqlite", { ...base, comparisons }).params).toContain("a?b*[*]");
    expect(buildRunSearchSql("postgres", { ...base, comparisons }).sql).toContain(`LIKE $3 ESCAPE ''`);
  });
});
