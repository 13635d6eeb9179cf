// The hostile bodies of the bad-input suite: generated per JSON route from its request schema in the
// OpenAPI document (wrong types, non-finite numbers per field) plus the same generic cases for every
// route (malformed JSON, NaN literals, non-object roots, deep nesting, an oversized body).

export interface BadCase {
  name: string;
  /** Sent as is (the raw text or bytes of the body, or a fresh stream per call). */
  body: string | Uint8Array | (() => ReadableStream<Uint8Array>);
  contentType?: string;
  /** Expected status; default: any 4xx. */
  status?: number;
}

export const OVERSIZED_BYTES = 50 * 1024 * 1024;
const CHUNK = new Uint8Array(1024 * 1024).fill(0x61);

/**
 * 50 MB of one JSON string, well-formed, only too big: streamed in 1 MB chunks of one shared buffer,
 * so a server that stops reading at its limit costs the test no more than that limit.
 */
export function oversizedJson(): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === 0) controller.enqueue(new TextEncoder().encode('{"pad":"'));
      if (sent >= OVERSIZED_BYTES) {
        controller.enqueue(new TextEncoder().encode('"}'));
        controller.close();
        return;
      }
      controller.enqueue(CHUNK);
      sent += CHUNK.byteLength;
    },
  });
}

const DEPTH = 100_000;
const FIELD_DEPTH = 10_000;

/**
 * Field names the MLflow and fast-path endpoints read. Those endpoints ignore fields they do not
 * know (protobuf's JSON mapping, which the stock client relies on), so a hostile value only reaches
 * the parser in a field the endpoint reads.
 */
export const COMMON_FIELDS = [
  "name", "experiment_id", "experiment_ids", "run_id", "run_name", "filter", "key", "value", "tags",
  "version", "max_results", "view_type", "instances", "inputs", "prediction_id", "new_name", "alias",
];

const deepObject = (n: number) => '{"a":'.repeat(n) + "1" + "}".repeat(n);
const deepArray = (n: number) => "[".repeat(n) + "]".repeat(n);

/** `{"a": <huge>, "<field>": <value>, ...}` for every field the route reads. */
function everyField(fields: string[], huge: string, value: string): string {
  return `{"a":${huge}${fields.map((f) => `,${JSON.stringify(f)}:${value}`).join("")}}`;
}

/** The cases every JSON route gets, whatever its schema; `fields` are the ones it reads. */
export function genericCases(readsBody: boolean, fields: string[]): BadCase[] {
  return [
    { name: "malformed JSON", body: '{"name": "x",' },
    { name: "NaN and Infinity literals", body: '{"value": NaN, "other": Infinity}' },
    { name: "trailing garbage", body: '{"name": "x"} {"name": "y"}' },
    { name: "array root", body: "[]" },
    { name: "string root", body: '"text"' },
    { name: "number root", body: "42" },
    { name: "null root", body: "null" },
    { name: `objects nested ${DEPTH} deep`, body: everyField(fields, deepObject(DEPTH), deepObject(FIELD_DEPTH)) },
    { name: `arrays nested ${DEPTH} deep`, body: everyField(fields, deepArray(DEPTH), deepArray(FIELD_DEPTH)) },
    { name: "prototype keys", body: everyField(fields, '{"constructor": {"prototype": {"x": 1}}}', '{"__proto__": {"role": "admin"}}') },
    { name: "50 MB body", body: oversizedJson, status: readsBody ? 413 : undefined },
  ];
}

/** The JSON Schema of one property, as much of it as this generator reads. */
interface PropSchema {
  type?: string | string[];
  anyOf?: PropSchema[];
  oneOf?: PropSchema[];
  enum?: unknown[];
  const?: unknown;
}

export interface BodySchema {
  properties?: Record<string, PropSchema>;
}

function jsonTypes(s: PropSchema): Set<string> | null {
  if (s.type) return new Set(Array.isArray(s.type) ? s.type : [s.type]);
  const alts = s.anyOf ?? s.oneOf;
  if (alts) {
    const out = new Set<string>();
    for (const a of alts) {
      const t = jsonTypes(a);
      if (!t) return null;
      for (const x of t) out.add(x);
    }
    return out;
  }
  if (s.enum) return new Set(s.enum.map((v) => (v === null ? "null" : typeof v)));
  if (s.const !== undefined) return new Set([typeof s.const]);
  return null;
}

const CANDIDATES: [string, unknown][] = [
  ["object", { wrong: { type: [] } }],
  ["array", [[1], [2]]],
  ["string", "not-the-right-type"],
  ["number", 12345],
  ["boolean", true],
];

/** A value of a JSON type the property does not accept, or null when it accepts anything. */
function wrongValue(s: PropSchema): unknown {
  const types = jsonTypes(s);
  if (!types) return null;
  if (types.has("integer")) types.add("number");
  if (types.has("number")) types.add("integer");
  for (const [t, v] of CANDIDATES) if (!types.has(t) && !(t === "number" && types.has("integer"))) return v;
  return null;
}

/** One case per property: that property with a wrong type, or with a number too big for a double. */
export function schemaCases(schema: BodySchema | undefined): BadCase[] {
  const out: BadCase[] = [];
  for (const [prop, s] of Object.entries(schema?.properties ?? {})) {
    const wrong = wrongValue(s);
    if (wrong !== null) out.push({ name: `'${prop}' of the wrong type`, body: JSON.stringify({ [prop]: wrong }) });
    const types = jsonTypes(s);
    if (types?.has("number") || types?.has("integer")) {
      // JSON.parse turns 1e999 into Infinity: the one way a non-finite number gets through the parser.
      out.push({ name: `'${prop}' = 1e999 (Infinity)`, body: `{${JSON.stringify(prop)}: 1e999}` });
      out.push({ name: `'${prop}' = -1e999 (-Infinity)`, body: `{${JSON.stringify(prop)}: -1e999}` });
    }
  }
  return out;
}

/** Artifact paths that would leave their folder, as a route handler receives them (decoded). */
export const TRAVERSAL_PATHS: { name: string; segments: string[]; atRoot?: boolean }[] = [
  { name: "../", segments: ["..", "escaped.txt"] },
  { name: "a/../../", segments: ["a", "..", "..", "escaped.txt"] },
  { name: "absolute /etc/passwd", segments: ["", "etc", "passwd"] },
  { name: "URL-encoded ..%2F (decoded by the router into one segment)", segments: ["../escaped.txt"] },
  { name: "URL-encoded %2e%2e%2f%2e%2e%2f", segments: ["../../escaped.txt"] },
  { name: "backslashes ..\\..\\", segments: ["..\\..\\escaped.txt"] },
  // A drive letter means something only at the start of a path (elsewhere "C:" is a folder name).
  { name: "drive letter C:", segments: ["C:", "escaped.txt"], atRoot: true },
  { name: "NUL byte", segments: ["model\u0000.txt"] },
  { name: "dot segment", segments: [".", "x.txt"] },
];

/** Filter strings that look like SQL. Each is either a syntax error (400) or a harmless literal. */
export const SQL_FILTERS: { filter: string; literal?: boolean }[] = [
  { filter: "metrics.a > 1; DROP TABLE Run" },
  { filter: 'metrics.a > 1; DROP TABLE "Run"; --' },
  { filter: "metrics.a > 1 OR 1=1" },
  { filter: "params.x = '' OR '1'='1'" },
  { filter: "tags.t = 'x' UNION SELECT * FROM User --" },
  { filter: "name = 'x' /* comment */" },
  { filter: "attributes.status = 'x'); DELETE FROM Experiment; --" },
  { filter: "1=1" },
  // Quoted, the SQL is only a value: a valid filter that matches nothing.
  { filter: "tags.note = '; DROP TABLE Run; --'", literal: true },
];
