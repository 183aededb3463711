/**
 * Percentile bootstrap confidence interval for mean(a) - mean(b): each resample draws n1 values of a
 * and n2 of b with replacement from the seeded generator (../random.ts, one 32-bit output per draw),
 * and the interval is the
 * NumPy-linear percentiles (1 - level)/2 and (1 + level)/2 of the resampled differences.
 */
import { createRandom, type Random } from '../random';
import { mean, percentileSorted, variance } from './descriptive';
import { normalQuantile } from './normal';
import { assertNoNaN, assertNonEmpty, type Sample } from './sample';

export interface BootstrapOptions {
  resamples?: number;
  level?: number;
  seed?: number;
}

export const DEFAULT_BOOTSTRAP = { resamples: 2000, level: 0.95, seed: 0 } as const;

/**
 * Above this many values in total, meanDifferenceCI uses the normal interval instead: the bootstrap
 * distribution of a mean difference is then normal to well within resampling noise, and 2,000
 * resamples of 10^5 values would take a minute.
 */
export const BOOTSTRAP_MAX_VALUES = 20_000;

export interface MeanDifferenceCI {
  interval: [number, number];
  method: 'bootstrap' | 'normal';
}

/** the mean-difference interval: percentile bootstrap up to BOOTSTRAP_MAX_VALUES values, else normal */
export function meanDifferenceCI(a: Sample, b: Sample, options: BootstrapOptions = {}): MeanDifferenceCI {
  if (a.length + b.length <= BOOTSTRAP_MAX_VALUES) return { interval: bootstrapMeanDifferenceCI(a, b, options), method: 'bootstrap' };
  assertNoNaN(a, 'a');
  assertNoNaN(b, 'b');
  const level = options.level ?? DEFAULT_BOOTSTRAP.level;
  const ma = mean(a);
  const mb = mean(b);
  const se = Math.sqrt(variance(a, ma) / a.length + variance(b, mb) / b.length);
  const z = normalQuantile(1 - (1 - level) / 2);
  return { interval: [ma - mb - z * se, ma - mb + z * se], method: 'normal' };
}

export function bootstrapMeanDifferenceCI(a: Sample, b: Sample, options: BootstrapOptions = {}): [number, number] {
  const resamples = options.resamples ?? DEFAULT_BOOTSTRAP.resamples;
  const level = options.level ?? DEFAULT_BOOTSTRAP.level;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`resamples must be a positive integer, got ${resamples}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`);
  assertNonEmpty(a, 'a');
  assertNonEmpty(b, 'b');
  assertNoNaN(a, 'a');
  assertNoNaN(b, 'b');
  const random = createRandom(options.seed ?? DEFAULT_BOOTSTRAP.seed);
  const differences = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) differences[r] = resampledMean(a, random) - resampledMean(b, random);
  differences.sort();
  return [percentileSorted(differences, ((1 - level) / 2) * 100), percentileSorted(differences, ((1 + level) / 2) * 100)];
}

function resampledMean(sample: Sample, random: Random): number {
  const n = sample.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += sample[random.fastInt(n)];
  return total / n;
}

/** percentile bootstrap interval of any statistic of one sample of row indices (used by the probes) */
export function bootstrapIndicesCI(
  n: number,
  statistic: (indices: Int32Array) => number,
  options: BootstrapOptions = {},
): [number, number] {
  const resamples = options.resamples ?? DEFAULT_BOOTSTRAP.resamples;
  const level = options.level ?? DEFAULT_BOOTSTRAP.level;
  const random = createRandom(options.seed ?? DEFAULT_BOOTSTRAP.seed);
  const values = new Float64Array(resamples);
  const indices = new Int32Array(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) indices[i] = random.fastInt(n);
    values[r] = statistic(indices);
  }
  values.sort();
  return [percentileSorted(values, ((1 - level) / 2) * 100), percentileSorted(values, ((1 + level) / 2) * 100)];
}
