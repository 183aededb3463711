/**
 * Histograms of two samples over shared bins, so their bars line up.
 */
export interface Histogram {
  /** bins+1 edges, ascending */
  edges: number[];
  a: number[];
  b: number[];
}

/** Sturges' rule on the larger sample, between 5 and 50 bins. */
export function binCount(n: number): number {
  return Math.max(5, Math.min(50, Math.ceil(Math.log2(Math.max(1, n)) + 1)));
}

/** Counts a and b over `bins` equal bins spanning both samples; the last bin includes its right edge. */
export function sharedHistogram(a: readonly number[], b: readonly number[], bins = binCount(Math.max(a.length, b.length))): Histogram {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be a positive integer, got ${bins}`);
  const all = [...a, ...b].filter(Number.isFinite);
  if (all.length === 0) return { edges: [], a: [], b: [] };
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + i * width);
  const count = (xs: readonly number[]) => {
    const c = new Array<number>(bins).fill(0);
    for (const x of xs) {
      if (!Number.isFinite(x)) continue;
      c[Math.min(bins - 1, Math.floor((x - lo) / width))]++;
    }
    return c;
  };
  return { edges, a: count(a), b: count(b) };
}
