// How one CSV cell is read. Shared by ingestion (statistics, inference) and readTable so that a
// value counted as numeric in the profile is the same number in the training table.

/** Cells that mean "no value" (compared after trimming, case-insensitively), as pandas reads them. */
export const MISSING_TOKENS = ["", "na", "n/a", "nan", "null", "none", "#n/a", "<na>", "-nan"] as const;
const MISSING = new Set<string>(MISSING_TOKENS);

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 0xa0 || c === 0xfeff || (c >= 0x2000 && c <= 0x200a) || c === 0x3000;
}

/** Removes surrounding whitespace, cheaply when there is none (the usual case). */
export function trimCell(v: string): string {
  const n = v.length;
  if (n === 0) return v;
  return isSpace(v.charCodeAt(0)) || isSpace(v.charCodeAt(n - 1)) ? v.trim() : v;
}

/** `v` is already trimmed. */
export function isMissing(v: string): boolean {
  return v.length === 0 || (v.length <= 4 && MISSING.has(v.toLowerCase()));
}

/**
 * 0: not a number; 1: digits only (an integer spelling); 2: a decimal or exponent spelling.
 * Accepts [+-]digits[.digits][e[+-]digits] and .5 / 5. forms; no thousands separators, no inf.
 */
export function numberKind(v: string): 0 | 1 | 2 {
  const n = v.length;
  let i = 0;
  let c = v.charCodeAt(0);
  if (c === 43 || c === 45) {
    i = 1;
  }
  let digits = 0;
  let kind: 1 | 2 = 1;
  for (; i < n; i++) {
    c = v.charCodeAt(i);
    if (c < 48 || c > 57) break;
    digits++;
  }
  if (i < n && c === 46) {
    kind = 2;
    for (i++; i < n; i++) {
      c = v.charCodeAt(i);
      if (c < 48 || c > 57) break;
      digits++;
    }
  }
  if (digits === 0) return 0;
  if (i < n && (c === 101 || c === 69)) {
    kind = 2;
    i++;
    c = v.charCodeAt(i);
    if (c === 43 || c === 45) i++;
    let exp = 0;
    for (; i < n; i++) {
      c = v.charCodeAt(i);
      if (c < 48 || c > 57) break;
      exp++;
    }
    if (exp === 0) return 0;
  }
  return i === n ? kind : 0;
}

/** The number in a cell, NaN when it is missing or not a number. `v` is trimmed. */
export function parseNumber(v: string): number {
  if (numberKind(v) === 0) return NaN;
  const x = Number(v);
  return Number.isFinite(x) ? x : NaN;
}

const TRUE_TOKENS = new Set(["true", "yes", "t", "y"]);
const FALSE_TOKENS = new Set(["false", "no", "f", "n"]);

/** 1 true, 0 false, -1 not a boolean word. 0/1 digits count only when `digits` is set (type overrides). */
export function parseBoolean(v: string, digits = false): 1 | 0 | -1 {
  if (v.length > 5) return -1;
  if (digits) {
    if (v === "1") return 1;
    if (v === "0") return 0;
  }
  const l = v.toLowerCase();
  if (TRUE_TOKENS.has(l)) return 1;
  if (FALSE_TOKENS.has(l)) return 0;
  return -1;
}

// ISO 8601 dates and date-times, also with a space or a slash; a time without a zone is read as UTC.
const DATETIME =
  /^(\d{4})([-/])(\d{2})\2(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Milliseconds since the epoch, NaN when the cell is not a date we recognise. `v` is trimmed. */
export function parseDatetime(v: string): number {
  if (v.length < 10) return NaN;
  const c0 = v.charCodeAt(0);
  if (c0 < 48 || c0 > 57) return NaN;
  const m = DATETIME.exec(v);
  if (!m) return NaN;
  const [, y, , mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
  const hour = h === undefined ? 0 : Number(h);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (hour > 23 || minute > 59 || second > 59) return NaN;
  const ms = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, "0"));
  let t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  if (zone !== undefined && zone !== "Z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const offset = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4));
    t -= sign * offset * 60_000;
  }
  return t;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
