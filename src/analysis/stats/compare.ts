/** Everything the paper's Table 5 needs from two samples, as a StatsReport. */
import type { StatsReport } from '../../shared/reports';
import { meanDifferenceCI, type BootstrapOptions } from './bootstrap';
import { describe } from './descriptive';
import { cohensD, rankBiserial } from './effectSize';
import { mannWhitneyU, type MannWhitneyOptions } from './mannWhitney';
import { studentTTest, welchTTest } from './tTest';
import { assertNoNaN, sortedCopy, toArray, type Sample } from './sample';

export interface CompareOptions {
  labels?: { a: string; b: string };
  measure?: string;
  mannWhitney?: MannWhitneyOptions;
  bootstrap?: BootstrapOptions;
  /** ISO time stamp; injected so reports are reproducible in tests */
  createdAt?: string;
}

export function compareSamples(a: Sample, b: Sample, options: CompareOptions = {}): StatsReport {
  // NaN is rejected before sorting, where it would otherwise end up silently at the end
  assertNoNaN(a, 'a');
  assertNoNaN(b, 'b');
  const sorted = { a: sortedCopy(a), b: sortedCopy(b) };
  const mannWhitney = mannWhitneyU(a, b, options.mannWhitney, sorted);
  const ci = meanDifferenceCI(a, b, options.bootstrap);
  return {
    kind: 'stats',
    version: 1,
    labels: options.labels ?? { a: 'a', b: 'b' },
    a: describe(a, 'a', sorted.a),
    b: describe(b, 'b', sorted.b),
    student: studentTTest(a, b),
    welch: welchTTest(a, b),
    mannWhitney,
    effectSize: {
      cohensD: cohensD(a, b),
      rankBiserial: rankBiserial(mannWhitney.U, a.length, b.length),
      meanDifferenceCI: ci.interval,
      meanDifferenceCIMethod: ci.method,
    },
    samples: { a: toArray(a), b: toArray(b) },
    measure: options.measure ?? '',
    createdAt: options.createdAt ?? new Date().toISOString(),
  };
}
