// Writing CSV cells that a spreadsheet opens safely. A cell starting with = + - @ (or a tab or
// carriage return) is run as a formula by Excel, LibreOffice and Google Sheets ("CSV injection");
// OWASP's rule is to prefix such a cell with a single quote so it shows as text. Plain numbers
// (-1.5, +3e2) are left as they are: they are data, and quoting them would turn them into text.

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A cell a spreadsheet will not run as a formula. */
export function neutralizeFormula(v: string): string {
  return FORMULA_START.test(v) && !PLAIN_NUMBER.test(v) ? `'${v}` : v;
}

/** One CSV field: formula-neutralized, then quoted when it holds a quote, comma, line break or edge spaces. */
export function csvCell(v: string): string {
  const s = neutralizeFormula(v);
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}
