/**
 * Table 5 for k >= 2 models measured on the same items: each model's descriptive row and, for every
 * pair, Welch's t, Mann-Whitney U (as compareSamples) and Cohen's d, with Holm's correction over the
 * k (k - 1) / 2 pairs, applied to the Welch p-values and to the Mann-Whitney p-values as two families.
 */
import type { MultiComparison, PairwiseTest } from '../../shared/reports';
import { meanDifferenceCI, type BootstrapOptions } from './bootstrap';
import { describe, mean } from './descriptive';
import { cohensD } from './effectSize';
import { holm } from './holm';
import { mannWhitneyU, type MannWhitneyOptions } from './mannWhitney';
import { welchTTest } from './tTest';
import { assertNoNaN, sortedCopy, toArray, type Sample } from './sample';

export interface MultiCompareOptions {
  mannWhitney?: MannWhitneyOptions;
  bootstrap?: BootstrapOptions;
}

export function compareModels(samples: { label: string; values: Sample }[], options: MultiCompareOptions = {}): MultiComparison {
  if (samples.length < 2) throw new RangeError(`a comparison needs at least two models, got ${samples.length}`);
  const labels = new Set(samples.map((s) => s.label));
  if (labels.size !== samples.length) throw new RangeError(`the models' labels must differ, got ${samples.map((s) => s.label).join(', ')}`);
  samples.forEach((s) => assertNoNaN(s.values, s.label));
  const sorted = samples.map((s) => sortedCopy(s.values));
  const pairs: Omit<PairwiseTest, 'welchHolm' | 'mannWhitneyHolm'>[] = [];
  for (let i = 0; i < samples.length; i++) {
    for (let j = i + 1; j < samples.length; j++) {
      const [a, b] = [samples[i].values, samples[j].values];
      pairs.push({
        a: samples[i].label,
        b: samples[j].label,
        welch: welchTTest(a, b),
        mannWhitney: mannWhitneyU(a, b, options.mannWhitney, { a: sorted[i], b: sorted[j] }),
        cohensD: cohensD(a, b),
        meanDifference: mean(a) - mean(b),
        meanDifferenceCI: meanDifferenceCI(a, b, options.bootstrap).interval,
      });
    }
  }
  const welchHolm = holm(pairs.map((p) => p.welch.p));
  const mannWhitneyHolm = holm(pairs.map((p) => p.mannWhitney.p));
  return {
    models: samples.map((s, k) => ({ label: s.label, describe: describe(s.values, s.label, sorted[k]), sample: toArray(s.values) })),
    pairs: pairs.map((p, k) => ({ ...p, welchHolm: welchHolm[k], mannWhitneyHolm: mannWhitneyHolm[k] })),
    correction: 'holm',
    family: pairs.length,
  };
}
