/**
 * Paired tests for an ablation study (docs/analyses.md, "Causal effect of step t"): the exact McNemar
 * test on discordant pairs, the paired t-test on per-item differences, and the percentile bootstrap
 * interval of one sample's mean. Degenerate cases follow SciPy: no discordant pairs gives p = 1
 * (scipy.stats.binomtest with n = 0 is undefined; McNemar's statistic then says "no evidence"); a
 * constant sample of differences gives t and p NaN when its mean is 0, t = +-Infinity and p = 0 otherwise.
 */
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import type { TTestResult } from '../../shared/reports';
import { createRandom } from '../random';
import { DEFAULT_BOOTSTRAP, type BootstrapOptions } from './bootstrap';
import { mean, percentileSorted, variance } from './descriptive';
import { assertNoNaN, assertNonEmpty, type Sample } from './sample';

export interface McNemarResult {
  /** pairs right before and wrong after */
  b: number;
  /** pairs wrong before and right after */
  c: number;
  /** two-sided exact p: min(1, 2 * P(X <= min(b, c))), X ~ Binomial(b + c, 1/2) */
  p: number;
}

export function mcnemarExact(before: readonly boolean[], after: readonly boolean[]): McNemarResult {
  if (before.length !== after.length) throw new RangeError(`McNemar needs paired samples, got ${before.length} and ${after.length} values`);
  let b = 0;
  let c = 0;
  before.forEach((x, i) => {
    if (x && !after[i]) b++;
    else if (!x && after[i]) c++;
  });
  return { b, c, p: mcnemarP(b, c) };
}

export function mcnemarP(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);
  // P(X <= k) summed in log space: n is the number of items, possibly thousands
  let logTerm = -n * Math.LN2; // log C(n,0) / 2^n
  let cdf = Math.exp(logTerm);
  for (let i = 1; i <= k; i++) {
    logTerm += Math.log(n - i + 1) - Math.log(i);
    cdf += Math.exp(logTerm);
  }
  return Math.min(1, 2 * cdf);
}

/** two-sided paired t-test of mean(differences) = 0 (scipy.stats.ttest_rel on after, before) */
export function pairedTTest(differences: Sample): TTestResult {
  assertNonEmpty(differences, 'differences');
  assertNoNaN(differences, 'differences');
  const n = differences.length;
  if (n < 2) return { t: NaN, df: NaN, p: NaN };
  const m = mean(differences);
  const v = variance(differences, m);
  const df = n - 1;
  if (v === 0) return m === 0 ? { t: NaN, df, p: NaN } : { t: m > 0 ? Infinity : -Infinity, df, p: 0 };
  const t = m / Math.sqrt(v / n);
  return { t, df, p: Math.min(1, 2 * tCdf(-Math.abs(t), df)) };
}

/** percentile bootstrap interval of mean(sample): each resample draws n values with one 32-bit output each */
export function bootstrapMeanCI(sample: Sample, options: BootstrapOptions = {}): [number, number] {
  const resamples = options.resamples ?? DEFAULT_BOOTSTRAP.resamples;
  const level = options.level ?? DEFAULT_BOOTSTRAP.level;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`resamples must be a positive integer, got ${resamples}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`);
  assertNonEmpty(sample, 'sample');
  assertNoNaN(sample, 'sample');
  const random = createRandom(options.seed ?? DEFAULT_BOOTSTRAP.seed);
  const n = sample.length;
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let total = 0;
    for (let i = 0; i < n; i++) total += sample[random.fastInt(n)];
    means[r] = total / n;
  }
  means.sort();
  return [percentileSorted(means, ((1 - level) / 2) * 100), percentileSorted(means, ((1 + level) / 2) * 100)];
}
