/**
 * The exact test of a count of successes against per-trial null probabilities (the Poisson-binomial
 * distribution): X = sum of independent Bernoulli(p_i). Used for pointing against a null whose rate
 * differs from item to item (the box's position decides how many windows contain it), where a
 * binomial test at the mean rate would misstate the null's variance.
 */

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
  if (n === 0) return { n: 0, k: 0, expected: NaN, difference: NaN, pGreater: NaN, p: NaN };
  const k = successes.filter(Boolean).length;
  const pmf = poissonBinomialPmf(probabilities);
  let lower = 0;
  for (let j = 0; j <= k; j++) lower += pmf[j];
  let upper = 0;
  for (let j = k; j <= n; j++) upper += pmf[j];
  const expected = probabilities.reduce((s, p) => s + p, 0) / n;
  return { n, k, expected, difference: k / n - expected, pGreater: Math.min(1, upper), p: Math.min(1, 2 * Math.min(lower, upper)) };
}
