/**
 * The per-item table of a dataset report (drill-down): where each report kind keeps it, and the
 * sorting and filtering the panel applies to it. Pure.
 */
import type { Report, ReportItem } from '../shared/reports';

/** The report's items, or an empty list for a report written before items were kept. */
export function reportItems(r: Report): ReportItem[] {
  if (r.kind === 'steps') return r.itemTable ?? [];
  return r.items ?? [];
}

export type ItemColumn = 'id' | 'model' | 'question' | 'answer' | 'expected' | 'correct' | 'statistic';
export const ITEM_COLUMNS: readonly ItemColumn[] = ['id', 'model', 'question', 'answer', 'expected', 'correct', 'statistic'];

export interface ItemQuery {
  sort: ItemColumn;
  descending: boolean;
  /** case-insensitive text every shown row contains in one of its text columns */
  filter: string;
  /** only right, only wrong, or all */
  correct: 'all' | 'right' | 'wrong';
}

function cell(it: ReportItem, c: ItemColumn): string | number | boolean | undefined {
  return it[c];
}

/** Compares two cells: numbers numerically, text naturally ("item 2" before "item 10"); missing cells last. */
function compare(a: ReturnType<typeof cell>, b: ReturnType<typeof cell>): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return String(a).localeCompare(String(b), 'en', { numeric: true });
}

/** The items the table shows, filtered then sorted (stable: ties keep the report's order). */
export function queryItems(items: readonly ReportItem[], q: ItemQuery): ReportItem[] {
  const needle = q.filter.trim().toLowerCase();
  const kept = items.filter((it) => {
    if (q.correct === 'right' && it.correct !== true) return false;
    if (q.correct === 'wrong' && it.correct !== false) return false;
    if (!needle) return true;
    return [it.id, it.model, it.question, it.answer, it.expected, it.image].some((v) => v !== undefined && v.toLowerCase().includes(needle));
  });
  const order = kept.map((it, i) => ({ it, i }));
  order.sort((x, y) => {
    const c = compare(cell(x.it, q.sort), cell(y.it, q.sort));
    // missing cells stay last in both directions
    const missing = cell(x.it, q.sort) === undefined || cell(y.it, q.sort) === undefined;
    return (c === 0 ? x.i - y.i : missing ? c : q.descending ? -c : c);
  });
  return order.map((o) => o.it);
}

/**
 * The items whose statistic lies outside Tukey's fences (below Q1 - 1.5 IQR or above Q3 + 1.5 IQR) of
 * their model's sample: the points a box plot draws as outliers. Quartiles by linear interpolation
 * (NumPy's default), as the stats report's percentiles.
 */
export function outlierItems(items: readonly ReportItem[], model?: string): ReportItem[] {
  const group = items.filter((it) => typeof it.statistic === 'number' && Number.isFinite(it.statistic) && (model === undefined || it.model === model));
  const xs = group.map((it) => it.statistic!).sort((a, b) => a - b);
  if (xs.length < 4) return [];
  const q = (p: number) => {
    const h = (xs.length - 1) * p;
    const lo = Math.floor(h);
    return xs[lo] + (h - lo) * ((xs[Math.min(lo + 1, xs.length - 1)]) - xs[lo]);
  };
  const q1 = q(0.25);
  const q3 = q(0.75);
  const iqr = q3 - q1;
  return group.filter((it) => it.statistic! < q1 - 1.5 * iqr || it.statistic! > q3 + 1.5 * iqr);
}
