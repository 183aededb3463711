/**
 * Pure parts of the comparison view: one colour scale over both traces, and the A − B difference grid.
 */
import { rangeOf, type ValueRange } from './normalise';

/** The range that covers every given range (null ones skipped); null when none has values. */
export function sharedRange(ranges: readonly (ValueRange | null)[]): ValueRange | null {
  const known = ranges.filter((r): r is ValueRange => r !== null);
  if (!known.length) return null;
  return { min: Math.min(...known.map((r) => r.min)), max: Math.max(...known.map((r) => r.max)) };
}

/** a − b cell by cell (NaN where either is not finite, e.g. outside a window) and the range of the result. */
export function differenceGrid(a: ArrayLike<number>, b: ArrayLike<number>): { values: Float32Array; range: ValueRange | null } {
  if (a.length !== b.length) throw new RangeError(`cannot subtract grids of ${a.length} and ${b.length} cells`);
  const values = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) values[i] = Number.isFinite(a[i]) && Number.isFinite(b[i]) ? a[i] - b[i] : NaN;
  return { values, range: rangeOf([values]) };
}
