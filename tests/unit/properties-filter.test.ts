// Property-based tests (fast-check) of the run-search filter parser (lib/tracking/filter): printed
// filters parse back to the same comparisons (any key, any value: quotes, backticks, unicode, numbers
// at the edges of a double), spelling variants (case, whitespace, quote style) do not matter, and no
// input at all, however broken, makes it throw anything but a 400-style `invalid` error with a position.
// Part of the reliability suite (docs/operations.md); pure, so it runs once in the unit project.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { NUMERIC_OPS, parseFilter, parseOrderBy, RUN_FILTER_SPEC, STRING_OPS, type Comparison, type Entity, type Literal, type Operator } from "@/lib/tracking/filter";

type Cond = Omit<Comparison, "position">;

const PREFIX: Record<Entity, string[]> = {
  metric: ["metrics", "metric", "METRICS"],
  param: ["params", "param", "parameters", "Parameter"],
  tag: ["tags", "tag", "TAGS"],
  attribute: ["attributes", "attribute", "attr", "run"],
};
const ATTRIBUTES = Object.entries(RUN_FILTER_SPEC.attributes) as [string, "string" | "number"][];

const numberArb = fc.double({ noNaN: true, noDefaultInfinity: true });
const stringArb = fc.oneof(fc.string({ unit: "grapheme", maxLength: 20 }), fc.constantFrom("'", "''", '"', "`", "a' OR '1'='1", "%_", "\\", " and ", "x') --"));
/** Any non-empty key; backtick quoting carries every character. */
const keyArb = fc.oneof(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,15}$/), fc.string({ unit: "grapheme", minLength: 1, maxLength: 15 }));

const condArb: fc.Arbitrary<Cond> = fc.oneof(
  fc.record({ entity: fc.constantFrom<Entity>("metric", "param", "tag"), key: keyArb }),
  fc.constantFrom(...ATTRIBUTES).map(([key]) => ({ entity: "attribute" as Entity, key })),
).chain(({ entity, key }) => {
  const numeric = entity === "metric" || (entity === "attribute" && RUN_FILTER_SPEC.attributes[key] === "number");
  const literal: fc.Arbitrary<Literal> = numeric ? numberArb : stringArb;
  return fc.constantFrom<Operator>(...(numeric ? NUMERIC_OPS : STRING_OPS)).chain((op) => {
    const value: fc.Arbitrary<Comparison["value"]> =
      op === "IS NULL" || op === "IS NOT NULL" ? fc.constant(null) : op === "IN" || op === "NOT IN" ? fc.array(literal, { minLength: 1, maxLength: 4 }) : literal;
    return value.map((v) => ({ entity, key, op, value: v }));
  });
});

/** Printing choices that must not change the meaning. */
interface Style {
  prefix: number;
  ws: string[];
  doubleQuotes: boolean;
  lower: boolean;
}
const styleArb: fc.Arbitrary<Style> = fc.record({
  prefix: fc.nat(3),
  ws: fc.array(fc.constantFrom(" ", "  ", "\t", "\n", " \r\n "), { minLength: 8, maxLength: 8 }),
  doubleQuotes: fc.boolean(),
  lower: fc.boolean(),
});

const quote = (s: string, q: string) => `${q}${s.split(q).join(q + q)}${q}`;

function printLiteral(v: Literal, st: Style): string {
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  return quote(v, st.doubleQuotes ? '"' : "'");
}

function printCond(c: Cond, st: Style): string {
  const prefixes = PREFIX[c.entity]!;
  const prefix = prefixes[st.prefix % prefixes.length]!;
  const name = c.entity === "attribute" ? `${prefix}.${c.key}` : `${prefix}.${quote(c.key, "`")}`;
  const op = st.lower ? c.op.toLowerCase() : c.op;
  const [a, b] = [st.ws[0]!, st.ws[1]!];
  if (c.value === null) return `${name}${a}${op}`;
  if (Array.isArray(c.value)) return `${name}${a}${op}${b}(${c.value.map((v) => printLiteral(v, st)).join(`,${st.ws[2]}`)})`;
  return `${name}${a}${op}${b}${printLiteral(c.value, st)}`;
}

function print(conds: Cond[], st: Style): string {
  const and = st.lower ? "and" : "AND";
  return `${st.ws[3]}${conds.map((c) => printCond(c, st)).join(`${st.ws[4]}${and}${st.ws[5]}`)}${st.ws[6]}`;
}

const strip = (cs: Comparison[]): Cond[] => cs.map(({ entity, key, op, value }) => ({ entity, key, op, value }));

/** Only `invalid` errors with a position inside the text (what the API turns into a 400 that points at it). */
function parseOrInvalid(text: string, parse: (t: string) => unknown = parseFilter): void {
  try {
    parse(text);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    const e = err as AppError;
    expect(e.code).toBe("invalid");
    const position = (e.details as { position?: number }).position!;
    expect(position).toBeGreaterThanOrEqual(1);
    expect(position).toBeLessThanOrEqual(text.length + 1);
  }
}

describe("run-search filter parser properties", () => {
  it("parses a printed filter back to the same comparisons, however it is spelled", () => {
    fc.assert(
      fc.property(fc.array(condArb, { minLength: 1, maxLength: 4 }), styleArb, (conds, st) => {
        const text = print(conds, st);
        const parsed = parseFilter(text);
        expect(strip(parsed)).toEqual(conds);
        // Positions point at each condition's first character.
        for (const c of parsed) expect(text.slice(c.position - 1)).toMatch(/^[A-Za-z`"]/);
        // And printing what was parsed, in another style, parses to the same again.
        expect(strip(parseFilter(print(strip(parsed), { ...st, doubleQuotes: !st.doubleQuotes, lower: !st.lower })))).toEqual(conds);
      }),
      { numRuns: 500 },
    );
  });

  it("never throws anything but an `invalid` error on arbitrary text", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 80 }), (s) => parseOrInvalid(s)), { numRuns: 2000 });
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 40 }), (s) => parseOrInvalid(s, (t) => parseOrderBy(t))), { numRuns: 500 });
  });

  it("never throws anything but an `invalid` error on a valid filter with one edit", () => {
    const edit = fc.record({ at: fc.nat(), cut: fc.nat(4), insert: fc.string({ maxLength: 3 }) });
    fc.assert(
      fc.property(fc.array(condArb, { minLength: 1, maxLength: 3 }), styleArb, edit, (conds, st, e) => {
        const text = print(conds, st);
        const at = e.at % (text.length + 1);
        parseOrInvalid(text.slice(0, at) + e.insert + text.slice(at + e.cut));
      }),
      { numRuns: 1000 },
    );
  });

  it("rejects OR between conditions and a metric compared with a string", () => {
    fc.assert(
      fc.property(condArb, condArb, styleArb, (a, b, st) => {
        expect(() => parseFilter(`${printCond(a, st)} OR ${printCond(b, st)}`)).toThrow(/OR is not supported/);
      }),
    );
    fc.assert(
      fc.property(keyArb, stringArb, (key, v) => {
        // A metric compared with a string: the message says to compare with a number.
        expect(() => parseFilter(`metrics.${quote(key, "`")} = ${quote(v, "'")}`)).toThrow(/compared with a number/);
      }),
    );
  });
});
