export type Entity = "metric" | "param" | "tag" | "attribute";
export type Operator = "=" | "!=" | ">" | ">=" | "<" | "<=" | "LIKE" | "ILIKE" | "IN" | "NOT IN" | "IS NULL" | "IS NOT NULL";
export type Literal = string | number;

/** One `identifier operator value` condition; a filter is the AND of its comparisons. */
export interface Comparison {
  entity: Entity;
  key: string;
  op: Operator;
  /** A literal, a list for IN / NOT IN, null for IS [NOT] NULL. */
  value: Literal | Literal[] | null;
  /** 1-based character position of the condition in the filter text. */
  position: number;
}

export interface OrderTerm {
  entity: Entity;
  key: string;
  descending: boolean;
}

/** What a search accepts: its entities, and its attributes with their value types. */
export interface FilterSpec {
  entities: readonly Entity[];
  attributes: Readonly<Record<string, "string" | "number">>;
  /** Other spellings of attributes, e.g. created → start_time. */
  aliases?: Readonly<Record<string, string>>;
}

export const NUMERIC_OPS: readonly Operator[] = ["=", "!=", ">", ">=", "<", "<=", "IN", "NOT IN", "IS NULL", "IS NOT NULL"];
export const STRING_OPS: readonly Operator[] = ["=", "!=", "LIKE", "ILIKE", "IN", "NOT IN", "IS NULL", "IS NOT NULL"];
