/**
 * Student's (equal variances) and Welch's two-sample t-tests, two-sided, through @stdlib/stats-ttest2
 * with the variance choice always explicit (its default is Welch, SciPy's is Student).
 * Degenerate inputs follow scipy.stats.ttest_ind (nan_policy='propagate'):
 * - a sample with fewer than two values, or any infinity: t, df and p are NaN;
 * - both samples constant and equal: t and p NaN; constant but different means: t = +-Infinity, p = 0.
 * NaN values and empty samples are rejected.
 */
import ttest2 from '@stdlib/stats-ttest2';
import type { TTestResult } from '../../shared/reports';
import { mean, variance } from './descriptive';
import { allFinite, assertNoNaN, assertNonEmpty, type Sample } from './sample';

export type VarianceAssumption = 'equal' | 'unequal';

export function tTest(a: Sample, b: Sample, varianceAssumption: VarianceAssumption): TTestResult {
  assertNonEmpty(a, 'a');
  assertNonEmpty(b, 'b');
  assertNoNaN(a, 'a');
  assertNoNaN(b, 'b');
  const n1 = a.length;
  const n2 = b.length;
  if (n1 < 2 || n2 < 2 || !allFinite(a) || !allFinite(b)) return { t: NaN, df: NaN, p: NaN };
  const m1 = mean(a);
  const m2 = mean(b);
  const v1 = variance(a, m1);
  const v2 = variance(b, m2);
  const df = degreesOfFreedom(v1, n1, v2, n2, varianceAssumption);
  if (v1 === 0 && v2 === 0) {
    if (m1 === m2) return { t: NaN, df, p: NaN };
    return { t: m1 > m2 ? Infinity : -Infinity, df, p: 0 };
  }
  const result = ttest2(toArray(a), toArray(b), { variance: varianceAssumption, alternative: 'two-sided' });
  return { t: result.statistic, df: result.df, p: result.pValue };
}

export function studentTTest(a: Sample, b: Sample): TTestResult {
  return tTest(a, b, 'equal');
}

export function welchTTest(a: Sample, b: Sample): TTestResult {
  return tTest(a, b, 'unequal');
}

function degreesOfFreedom(v1: number, n1: number, v2: number, n2: number, assumption: VarianceAssumption): number {
  if (assumption === 'equal') return n1 + n2 - 2;
  const vn1 = v1 / n1;
  const vn2 = v2 / n2;
  const df = (vn1 + vn2) ** 2 / (vn1 ** 2 / (n1 - 1) + vn2 ** 2 / (n2 - 1));
  // SciPy: df is undefined only when both variances are zero, and then any value will do; it uses 1
  return Number.isNaN(df) ? 1 : df;
}

function toArray(sample: Sample): Float64Array {
  return sample instanceof Float64Array ? sample : Float64Array.from(sample);
}
