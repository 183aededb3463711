/**
 * The exact test of a count of successes against per-trial null probabilities (the Poisson-binomial
 * distribution): X = sum of independent Bernoulli(p_i). Used for pointing against a null whose rate
 * differs from item to item (the box's position decides how many windows contain it), where a
 * binomial test at the mean rate would misstate the null's variance. Exact up to
 * POISSON_BINOMIAL_MAX_EXACT trials (the PMF costs n^2 / 2 multiply-adds); above, the normal
 * approximation with continuity correction, whose error is then far below the p-values' resolution of interest.
 */
import { normalCdf, normalSf } from './normal';

export const POISSON_BINOMIAL_MAX_EXACT = 20_000;

export interface PoissonBinomialTest {
  /** trials */
  n: number;
  /** observed successes */
  k: number;
  /** E[X] / n: the null's expected rate */
  expected: number;
  /** k / n - expected */
  difference: number;
  /** P(X >= k) */
  pGreater: number;
  /** two-sided: min(1, 2 * min(P(X <= k), P(X >= k))) */
  p: number;
  method: 'exact' | 'normal';
}

/** P(X = j) for j = 0..n by the standard O(n^2) convolution, which stays in [0, 1] (no cancellation) */
export function poissonBinomialPmf(probabilities: readonly number[]): Float64Array {
  let pmf = new Float64Array([1]);
  for (const p of probabilities) {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`a null probability must be in [0, 1], got ${p}`);
    const next = new Float64Array(pmf.length + 1);
    for (let j = 0; j < pmf.length; j++) {
      next[j] += pmf[j] * (1 - p);
      next[j + 1] += pmf[j] * p;
    }
    pmf = next;
  }
  return pmf;
}

export function poissonBinomialTest(successes: readonly boolean[], probabilities: readonly number[]): PoissonBinomialTest {
  if (successes.length !== probabilities.length) throw new RangeError(`${successes.length} outcomes for ${probabilities.length} null probabilities`);
  const n = successes.length;
  if (n === 0) return { n: 0, k: 0, expected: NaN, difference: NaN, pGreater: NaN, p: NaN, method: 'exact' };
  const k = successes.filter(Boolean).length;
  const expected = probabilities.reduce((s, p) => s + p, 0) / n;
  const { lower, upper, method } = n <= POISSON_BINOMIAL_MAX_EXACT ? exactTails(probabilities, k) : normalTails(probabilities, k);
  return { n, k, expected, difference: k / n - expected, pGreater: Math.min(1, upper), p: Math.min(1, 2 * Math.min(lower, upper)), method };
}

/** P(X <= k) and P(X >= k) from the PMF */
function exactTails(probabilities: readonly number[], k: number): { lower: number; upper: number; method: 'exact' } {
  const pmf = poissonBinomialPmf(probabilities);
  let lower = 0;
  for (let j = 0; j <= k; j++) lower += pmf[j];
  let upper = 0;
  for (let j = k; j < pmf.length; j++) upper += pmf[j];
  return { lower, upper, method: 'exact' };
}

/** the tails of N(mean, sum p(1 - p)) with continuity correction; a variance of 0 means X is its mean */
function normalTails(probabilities: readonly number[], k: number): { lower: number; upper: number; method: 'normal' } {
  let mean = 0;
  let variance = 0;
  for (const p of probabilities) {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`a null probability must be in [0, 1], got ${p}`);
    mean += p;
    variance += p * (1 - p);
  }
  if (variance === 0) return { lower: k >= mean ? 1 : 0, upper: k <= mean ? 1 : 0, method: 'normal' };
  const sd = Math.sqrt(variance);
  return { lower: normalCdf((k + 0.5 - mean) / sd), upper: normalSf((k - 0.5 - mean) / sd), method: 'normal' };
}
