/**
 * Descriptive statistics matching NumPy: mean, standard deviation with ddof=1 (np.std(x, ddof=1)),
 * and percentiles with np.percentile's default 'linear' method, including its two-sided lerp.
 */
import type { Descriptive } from '../../shared/reports';
import { assertNoNaN, sortedCopy, type Sample } from './sample';

/**
 * NumPy's pairwise summation (numpy/core/src/umath/loops_utils.h, pairwise_sum): blocks of up to 128
 * summed with eight accumulators, larger ranges split in halves rounded to a multiple of 8. Mirroring
 * it makes means equal NumPy's to the last bit, which matters after cancellation (1e9-offset data).
 */
export function sum(sample: Sample): number {
  return pairwiseSum(sample, 0, sample.length);
}

function pairwiseSum(x: Sample, start: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += x[start + i];
    return res;
  }
  if (n <= 128) {
    const r = [x[start], x[start + 1], x[start + 2], x[start + 3], x[start + 4], x[start + 5], x[start + 6], x[start + 7]];
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let k = 0; k < 8; k++) r[k] += x[start + i + k];
    }
    let res = (r[0] + r[1] + (r[2] + r[3])) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < n; i++) res += x[start + i];
    return res;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return pairwiseSum(x, start, half) + pairwiseSum(x, start + half, n - half);
}

export function mean(sample: Sample): number {
  return sample.length === 0 ? NaN : sum(sample) / sample.length;
}

/** sample variance with ddof = 1 as np.var(x, ddof=1): pairwise sum of squared deviations; NaN below two values */
export function variance(sample: Sample, sampleMean = mean(sample)): number {
  const n = sample.length;
  if (n < 2) return NaN;
  const squares = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = sample[i] - sampleMean;
    squares[i] = d * d;
  }
  return sum(squares) / (n - 1);
}

export function std(sample: Sample, sampleMean = mean(sample)): number {
  return Math.sqrt(variance(sample, sampleMean));
}

/** percentile q in [0, 100] of an ascending sorted sample, as np.percentile(method='linear') */
export function percentileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  if (!(q >= 0 && q <= 100)) throw new RangeError(`percentile must be in [0, 100], got ${q}`);
  const virtualIndex = (n - 1) * (q / 100);
  const previous = Math.min(Math.max(Math.floor(virtualIndex), 0), n - 1);
  const next = Math.min(previous + 1, n - 1);
  const gamma = virtualIndex - Math.floor(virtualIndex);
  const a = sorted[previous];
  const b = sorted[next];
  const diff = b - a;
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

/**
 * n, mean, std (ddof=1), min, max and the 25/50/75/95th percentiles. An empty sample gives n = 0
 * and NaN elsewhere; a single value gives std NaN (as NumPy); NaN values are rejected.
 */
export function describe(sample: Sample, name = 'a', sorted: Float64Array = sortedCopy(sample)): Descriptive {
  assertNoNaN(sample, name);
  const m = mean(sample);
  return {
    n: sample.length,
    mean: m,
    std: std(sample, m),
    min: sorted.length ? sorted[0] : NaN,
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
    percentiles: {
      '25': percentileSorted(sorted, 25),
      '50': percentileSorted(sorted, 50),
      '75': percentileSorted(sorted, 75),
      '95': percentileSorted(sorted, 95),
    },
  };
}
