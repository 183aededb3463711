/**
 * The one CSV writer of the CLI's report files and the panel's exports (RFC 4180): fields with a comma, quote or line break are quoted, quotes doubled; numbers are
 * written with full precision so the file reproduces the values behind the view exactly. Fields are
 * made by src/shared/csv.ts, which also neutralises text a spreadsheet would run as a formula.
 */
import { csvField, type CsvCell } from '../shared/csv';

export type { CsvCell };

/** a header and rows of cells: what a view shows and what its CSV holds */
export interface Table {
  header: string[];
  rows: CsvCell[][];
}

/** Joins a header and rows into CSV text with CRLF line ends. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  for (const [i, r] of rows.entries()) {
    if (r.length !== header.length) throw new RangeError(`CSV row ${i} has ${r.length} fields, the header ${header.length}`);
  }
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}
