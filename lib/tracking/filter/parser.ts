// A hand-written parser for MLflow's search filter language:
//   metrics.accuracy > 0.9 and params.lr = '0.01' and tags.`team name` IN ('a', 'b')
// Conditions are joined by AND (as in MLflow; OR is rejected). Values are always literals, parsed
// here into an AST: the SQL built from it only ever binds them as parameters.
import { invalid } from "../../errors";
import {
  NUMERIC_OPS,
  STRING_OPS,
  type Comparison,
  type Entity,
  type FilterSpec,
  type Literal,
  type Operator,
  type OrderTerm,
} from "./ast";

const ENTITY_WORDS: Record<string, Entity> = {
  metric: "metric",
  metrics: "metric",
  param: "param",
  params: "param",
  parameter: "param",
  parameters: "param",
  tag: "tag",
  tags: "tag",
  attribute: "attribute",
  attributes: "attribute",
  attr: "attribute",
  run: "attribute",
};

const ENTITY_PREFIX: Record<Entity, string> = { metric: "metrics", param: "params", tag: "tags", attribute: "attributes" };

export const RUN_FILTER_SPEC: FilterSpec = {
  entities: ["metric", "param", "tag", "attribute"],
  attributes: {
    run_id: "string",
    run_name: "string",
    status: "string",
    user_id: "string",
    artifact_uri: "string",
    lifecycle_stage: "string",
    parent_run_id: "string",
    dataset_version_id: "string",
    code_version: "string",
    experiment_id: "string",
    start_time: "number",
    end_time: "number",
  },
  aliases: { created: "start_time", run_uuid: "run_id", name: "run_name" },
};

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const KEY_END = /[\s=!<>(),'"`]/;

class Cursor {
  pos = 0;
  constructor(
    readonly text: string,
    readonly what: string,
  ) {}

  fail(message: string, at = this.pos): never {
    throw invalid(`Invalid ${this.what} at position ${at + 1}: ${message}`, { position: at + 1, [this.what.replace(/ /g, "_")]: this.text });
  }

  ws(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  eof(): boolean {
    return this.pos >= this.text.length;
  }

  peek(n = 1): string {
    return this.text.slice(this.pos, this.pos + n);
  }

  /** Letters, digits and underscores at the cursor (not consumed). */
  word(): string {
    return /^[A-Za-z0-9_]*/.exec(this.text.slice(this.pos))![0];
  }

  quoted(): string {
    const start = this.pos;
    const q = this.text[this.pos]!;
    this.pos++;
    let out = "";
    for (;;) {
      if (this.eof()) this.fail(`unterminated ${q === "`" ? "backtick-quoted name" : "string"} (opened here)`, start);
      const c = this.text[this.pos]!;
      if (c === q) {
        // A doubled quote is the quote character itself, as in SQL.
        if (this.text[this.pos + 1] === q) {
          out += q;
          this.pos += 2;
          continue;
        }
        this.pos++;
        return out;
      }
      out += c;
      this.pos++;
    }
  }
}

function identifier(c: Cursor, spec: FilterSpec): { entity: Entity; key: string } {
  const start = c.pos;
  const ch = c.peek();
  let entity: Entity = "attribute";
  let key: string;
  if (ch === "`" || ch === '"') {
    key = c.quoted();
  } else {
    const word = c.word();
    if (!word) c.fail("expected a name such as metrics.accuracy, params.lr, tags.team or attributes.status");
    c.pos += word.length;
    if (c.peek() === ".") {
      const e = ENTITY_WORDS[word.toLowerCase()];
      if (!e) c.fail(`unknown prefix '${word}': use metrics., params., tags. or attributes.`, start);
      entity = e;
      c.pos++;
      const q = c.peek();
      if (q === "`" || q === '"') key = c.quoted();
      else {
        const from = c.pos;
        while (!c.eof() && !KEY_END.test(c.text[c.pos]!)) c.pos++;
        key = c.text.slice(from, c.pos);
      }
      if (!key) c.fail(`expected a name after '${word}.'`);
    } else {
      key = word;
    }
  }
  if (!spec.entities.includes(entity)) c.fail(`${ENTITY_PREFIX[entity]} cannot be used here`, start);
  if (entity === "attribute") {
    const canonical = spec.aliases?.[key] ?? key;
    if (!(canonical in spec.attributes)) {
      c.fail(`unknown attribute '${key}'; known: ${Object.keys(spec.attributes).join(", ")}`, start);
    }
    key = canonical;
  }
  return { entity, key };
}

function operator(c: Cursor): Operator {
  for (const [text, op] of [["!=", "!="], ["<>", "!="], [">=", ">="], ["<=", "<="], ["==", "="], [">", ">"], ["<", "<"], ["=", "="]] as const) {
    if (c.peek(text.length) === text) {
      c.pos += text.length;
      return op;
    }
  }
  const start = c.pos;
  const w = c.word().toUpperCase();
  const words = (...expected: string[]): boolean => {
    const save = c.pos;
    for (const e of expected) {
      c.ws();
      if (c.word().toUpperCase() !== e) {
        c.pos = save;
        return false;
      }
      c.pos += e.length;
    }
    return true;
  };
  if (w === "LIKE" || w === "ILIKE" || w === "IN") {
    c.pos += w.length;
    return w;
  }
  if (w === "NOT" && words("NOT", "IN")) return "NOT IN";
  if (w === "IS") {
    if (words("IS", "NULL")) return "IS NULL";
    if (words("IS", "NOT", "NULL")) return "IS NOT NULL";
  }
  return c.fail("expected an operator: =, !=, >, >=, <, <=, LIKE, ILIKE, IN, NOT IN, IS NULL or IS NOT NULL", start);
}

function literal(c: Cursor): Literal {
  const ch = c.peek();
  if (ch === "'" || ch === '"') return c.quoted();
  const m = NUMBER_RE.exec(c.text.slice(c.pos));
  if (m) {
    c.pos += m[0].length;
    return Number(m[0]);
  }
  return c.fail("expected a value: a quoted string such as 'abc' or a number");
}

function checkTypes(c: Cursor, cmp: Omit<Comparison, "position">, at: number, valueAt: number, spec: FilterSpec): void {
  const kind = cmp.entity === "metric" ? "number" : cmp.entity === "attribute" ? spec.attributes[cmp.key]! : "string";
  const name = `${ENTITY_PREFIX[cmp.entity]}.${cmp.key}`;
  const allowed = kind === "number" ? NUMERIC_OPS : STRING_OPS;
  if (!allowed.includes(cmp.op)) {
    c.fail(`'${cmp.op}' does not apply to ${name} (${kind === "number" ? "a number" : "a string"}); use ${allowed.join(", ")}`, at);
  }
  const values = cmp.value === null ? [] : Array.isArray(cmp.value) ? cmp.value : [cmp.value];
  for (const v of values) {
    if (kind === "number" && typeof v !== "number") c.fail(`${name} is compared with a number, not a string`, valueAt);
    if (kind === "string" && typeof v !== "string") c.fail(`${name} is a string: put the value in quotes, e.g. '${v}'`, valueAt);
  }
}

function comparison(c: Cursor, spec: FilterSpec): Comparison {
  const start = c.pos;
  const { entity, key } = identifier(c, spec);
  c.ws();
  const op = operator(c);
  const needsValue = op !== "IS NULL" && op !== "IS NOT NULL";
  if (needsValue) c.ws();
  const valueAt = c.pos;
  let value: Comparison["value"] = null;
  if (op === "IN" || op === "NOT IN") {
    if (c.peek() !== "(") c.fail(`expected '(' after ${op}`);
    c.pos++;
    const list: Literal[] = [];
    for (;;) {
      c.ws();
      list.push(literal(c));
      c.ws();
      if (c.peek() === ",") {
        c.pos++;
        continue;
      }
      if (c.peek() === ")") {
        c.pos++;
        break;
      }
      c.fail("expected ',' or ')' in the value list");
    }
    value = list;
  } else if (needsValue) {
    value = literal(c);
  }
  const cmp = { entity, key, op, value };
  checkTypes(c, cmp, start, valueAt, spec);
  return { ...cmp, position: start + 1 };
}

/** Parses a filter into its comparisons (an empty filter matches everything). */
export function parseFilter(text: string, spec: FilterSpec = RUN_FILTER_SPEC): Comparison[] {
  const c = new Cursor(text, "filter");
  const out: Comparison[] = [];
  c.ws();
  if (c.eof()) return out;
  for (;;) {
    out.push(comparison(c, spec));
    const end = c.pos;
    c.ws();
    if (c.eof()) return out;
    if (c.pos === end) c.fail("expected AND or the end of the filter");
    const w = c.word().toUpperCase();
    if (w === "OR") c.fail("OR is not supported: conditions are combined with AND");
    if (w !== "AND") c.fail("expected AND or the end of the filter");
    c.pos += 3;
    const afterAnd = c.pos;
    c.ws();
    if (c.pos === afterAnd && !c.eof()) c.fail("expected a space after AND");
    if (c.eof()) c.fail("expected a condition after AND");
  }
}

/** Parses one order-by item: `metrics.accuracy DESC`, `attributes.start_time`, `params.lr ASC`. */
export function parseOrderBy(text: string, spec: FilterSpec = RUN_FILTER_SPEC): OrderTerm {
  const c = new Cursor(text, "order_by");
  c.ws();
  const { entity, key } = identifier(c, spec);
  const end = c.pos;
  c.ws();
  let descending = false;
  if (!c.eof()) {
    if (c.pos === end) c.fail("expected ASC or DESC after the name");
    const w = c.word().toUpperCase();
    if (w !== "ASC" && w !== "DESC") c.fail("expected ASC or DESC");
    descending = w === "DESC";
    c.pos += w.length;
    c.ws();
    if (!c.eof()) c.fail("unexpected text after ASC/DESC");
  }
  return { entity, key, descending };
}
