/** Effect sizes for two independent samples. */
import { mean, variance } from './descriptive';
import type { Sample } from './sample';

/** Cohen's d with the pooled (ddof=1) standard deviation: (mean(a) - mean(b)) / s_pooled; NaN below two values per sample */
export function cohensD(a: Sample, b: Sample): number {
  const n1 = a.length;
  const n2 = b.length;
  const m1 = mean(a);
  const m2 = mean(b);
  // NaN when a sample has fewer than two values, as NumPy's ddof=1 variance
  const v1 = variance(a, m1);
  const v2 = variance(b, m2);
  const pooled = Math.sqrt(((n1 - 1) * v1 + (n2 - 1) * v2) / (n1 + n2 - 2));
  return (m1 - m2) / pooled;
}

/**
 * Rank-biserial correlation from the Mann-Whitney U of the first sample: 2 U1 / (n1 n2) - 1,
 * i.e. P(a > b) - P(a < b) over all pairs; +1 when every a exceeds every b.
 */
export function rankBiserial(u1: number, n1: number, n2: number): number {
  return (2 * u1) / (n1 * n2) - 1;
}
