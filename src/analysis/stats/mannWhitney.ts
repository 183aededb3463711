/**
 * Mann-Whitney U test mirroring scipy.stats.mannwhitneyu in SciPy 1.10 (use_continuity=True):
 * - U is the statistic of the first sample, U1 = R1 - n1(n1+1)/2;
 * - method 'auto' is asymptotic when both samples have more than 8 values or when there are ties,
 *   exact otherwise (scipy/stats/_mannwhitneyu.py, _mwu_choose_method);
 * - exact: p = f * SF(U) of the null distribution of U, SF including the mass at U, where
 *   U = max(U1, U2) and f = 2 for two-sided, U = U1 for 'greater', U = U2 for 'less', f = 1;
 * - asymptotic: z = (U - n1 n2 / 2 - 0.5) / s with the tie-corrected s, p = f * normal SF(z);
 * - p is clipped to [0, 1].
 */
import type { MannWhitneyResult } from '../../shared/reports';
import { normalSf } from './normal';
import { rankSumSorted } from './ranks';
import { assertNoNaN, assertNonEmpty, sortedCopy, type Sample } from './sample';

export type Alternative = 'two-sided' | 'less' | 'greater';
export type MannWhitneyMethod = 'auto' | 'exact' | 'asymptotic';

export interface MannWhitneyOptions {
  alternative?: Alternative;
  method?: MannWhitneyMethod;
}

/** `sorted` may pass ascending copies of a and b that the caller already has */
export function mannWhitneyU(a: Sample, b: Sample, options: MannWhitneyOptions = {}, sorted?: { a: Float64Array; b: Float64Array }): MannWhitneyResult {
  const alternative = options.alternative ?? 'two-sided';
  assertNonEmpty(a, 'a');
  assertNonEmpty(b, 'b');
  assertNoNaN(a, 'a');
  assertNoNaN(b, 'b');
  const n1 = a.length;
  const n2 = b.length;
  const { r1, tieTerm, hasTies } = rankSumSorted(sorted?.a ?? sortedCopy(a), sorted?.b ?? sortedCopy(b));
  let method: 'exact' | 'asymptotic';
  if (options.method === undefined || options.method === 'auto') {
    method = (n1 > 8 && n2 > 8) || hasTies ? 'asymptotic' : 'exact';
  } else {
    method = options.method;
  }
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  let u: number;
  let factor: number;
  if (alternative === 'greater') [u, factor] = [u1, 1];
  else if (alternative === 'less') [u, factor] = [u2, 1];
  else [u, factor] = [Math.max(u1, u2), 2];

  let p: number;
  if (method === 'exact') {
    p = exactSf(Math.trunc(u), n1, n2);
  } else {
    const n = n1 + n2;
    const s = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
    const z = (u - (n1 * n2) / 2 - 0.5) / s;
    p = normalSf(z);
  }
  p = Math.min(Math.max(p * factor, 0), 1);
  return { U: u1, p, method, alternative };
}

/**
 * P(U >= k) under the null for sample sizes m, n. By symmetry this is the CDF at m*n - k, and the
 * counts of arrangements with U = j are the coefficients of the Gaussian binomial [m+n choose m]_q
 * (the f(m, n, j) of SciPy's recursion), built as prod_{i=1..s} (1 - q^(l+i)) / (1 - q^i) with
 * s = min(m, n), l = max(m, n). Each partial product is itself a Gaussian binomial, so every
 * intermediate polynomial has non-negative coefficients and the floating error stays relative.
 */
export const EXACT_MAX_CELLS = 50_000_000;

export function exactSf(k: number, m: number, n: number): number {
  const small = Math.min(m, n);
  const large = Math.max(m, n);
  if (small * large > EXACT_MAX_CELLS) {
    throw new RangeError(`the exact Mann-Whitney distribution for sizes ${m} and ${n} is too large; use the asymptotic method`);
  }
  const top = m * n - k;
  if (top < 0) return 0;
  if (top >= m * n) return 1;
  const counts = gaussianBinomial(small, large);
  let below = 0;
  let total = 0;
  for (let j = 0; j <= m * n; j++) {
    total += counts[j];
    if (j <= top) below += counts[j];
  }
  return below / total;
}

function gaussianBinomial(small: number, large: number): Float64Array {
  const degree = small * large;
  const c = new Float64Array(degree + 1);
  c[0] = 1;
  let currentDegree = 0;
  for (let i = 1; i <= small; i++) {
    const shift = large + i;
    // multiply by (1 - q^shift)
    for (let j = currentDegree + shift; j >= shift; j--) c[j] -= c[j - shift];
    currentDegree += shift;
    // divide by (1 - q^i): c'[j] = c[j] + c'[j - i]
    for (let j = i; j <= currentDegree; j++) c[j] += c[j - i];
    currentDegree -= i;
  }
  return c;
}
