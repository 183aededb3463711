/**
 * One CSV field (RFC 4180) for every CSV this project writes (report tables, the panel's exports).
 * Text that a spreadsheet would run as a formula (a leading = + - @, tab or carriage return: a bundle
 * named `=HYPERLINK(...)`) gets a leading apostrophe, the usual neutralisation. Numbers, and text that
 * is a plain number such as "-0.5", are data and stay as they are.
 */
export type CsvCell = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

export function csvField(v: CsvCell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  let s = String(v);
  if (FORMULA_START.test(s) && !PLAIN_NUMBER.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || s.startsWith("'") ? `"${s.replace(/"/g, '""')}"` : s;
}
