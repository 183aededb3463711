/**
 * CSV (RFC 4180): fields with a comma, quote or line break are quoted, quotes doubled; numbers are
 * written with full precision so the file reproduces the values behind the view exactly.
 */
export type CsvCell = string | number | boolean | null | undefined;

function field(v: CsvCell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Joins a header and rows into CSV text with CRLF line ends. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  for (const [i, r] of rows.entries()) {
    if (r.length !== header.length) throw new RangeError(`CSV row ${i} has ${r.length} fields, the header ${header.length}`);
  }
  return [header, ...rows].map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
}
