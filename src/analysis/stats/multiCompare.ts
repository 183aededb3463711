/**
 * Table 5 for k >= 2 models measured on the same items: each model's descriptive row and, for every
 * pair, Welch's t, Mann-Whitney U (as compareSamples) and Cohen's d, with Holm's correction over the
 * k (k - 1) / 2 pairs, applied to the Welch p-values and to the Mann-Whitney p-values as two families.
 * With `paired` (the samples are the same items in the same order), each pair also gets the paired t-test of
 * the per-item differences with its own Holm family: the unpaired tests treat the two samples as independent,
 * which they are not when both models answered the same items (the paired test is the stronger one where the
 * models' per-item values correlate positively, the weaker where they correlate negatively).
 */
import type { MultiComparison, PairwiseTest, TTestResult } from '../../shared/reports';
import { meanDifferenceCI, type BootstrapOptions } from './bootstrap';
import { describe, mean } from './descriptive';
import { cohensD } from './effectSize';
import { holm } from './holm';
import { mannWhitneyU, type MannWhitneyOptions } from './mannWhitney';
import { welchTTest } from './tTest';
import { bootstrapMeanCI, pairedTTest } from './paired';
import { assertNoNaN, sortedCopy, toArray, type Sample } from './sample';

export interface MultiCompareOptions {
  mannWhitney?: MannWhitneyOptions;
  bootstrap?: BootstrapOptions;
  /** the samples hold the same items in the same order: add the paired t-test per pair */
  paired?: boolean;
}

export function compareModels(samples: { label: string; values: Sample }[], options: MultiCompareOptions = {}): MultiComparison {
  if (samples.length < 2) throw new RangeError(`a comparison needs at least two models, got ${samples.length}`);
  const labels = new Set(samples.map((s) => s.label));
  if (labels.size !== samples.length) throw new RangeError(`the models' labels must differ, got ${samples.map((s) => s.label).join(', ')}`);
  samples.forEach((s) => assertNoNaN(s.values, s.label));
  if (options.paired && samples.some((s) => s.values.length !== samples[0].values.length)) {
    throw new RangeError(`paired samples must have one value per item each, got lengths ${samples.map((s) => s.values.length).join(', ')}`);
  }
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
        ...(options.paired ? pairedTest(a, b, options.bootstrap) : {}),
      });
    }
  }
  const welchHolm = holm(pairs.map((p) => p.welch.p));
  const mannWhitneyHolm = holm(pairs.map((p) => p.mannWhitney.p));
  const pairedHolm = options.paired ? holm(pairs.map((p) => p.paired!.p)) : undefined;
  return {
    models: samples.map((s, k) => ({ label: s.label, describe: describe(s.values, s.label, sorted[k]), sample: toArray(s.values) })),
    pairs: pairs.map((p, k) => ({ ...p, welchHolm: welchHolm[k], mannWhitneyHolm: mannWhitneyHolm[k], ...(pairedHolm ? { pairedHolm: pairedHolm[k] } : {}) })),
    correction: 'holm',
    family: pairs.length,
  };
}

function pairedTest(a: Sample, b: Sample, bootstrap?: BootstrapOptions): { paired: TTestResult; pairedDifferenceCI: [number, number] } {
  const differences = Float64Array.from(a, (x, i) => x - b[i]);
  return { paired: pairedTTest(differences), pairedDifferenceCI: bootstrapMeanCI(differences, bootstrap) };
}
