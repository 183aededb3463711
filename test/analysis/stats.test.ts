/**
 * Statistics against SciPy 1.10 / NumPy 1.24 (test/fixtures/stats/generate.py writes cases.json).
 * Tolerances (DESIGN.md): statistics rtol 1e-9; p-values rtol 1e-6, or both below 1e-300, since
 * the t and normal tails are evaluated by different special-function code than SciPy's cephes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRandom } from '../../src/analysis/random';
import {
  bootstrapMeanDifferenceCI,
  meanDifferenceCI,
  cohensD,
  compareSamples,
  describe,
  exactSf,
  mannWhitneyU,
  rankBiserial,
  studentTTest,
  welchTTest,
} from '../../src/analysis/stats';

type Encoded = number | 'nan' | 'inf' | '-inf';
interface Case {
  name: string;
  a: Encoded[];
  b: Encoded[];
  describe: Record<'a' | 'b', { n: number; mean: Encoded; std: Encoded; min: Encoded; max: Encoded; percentiles: Record<string, Encoded> }>;
  student: { t: Encoded; df: Encoded; p: Encoded };
  welch: { t: Encoded; df: Encoded; p: Encoded };
  mannWhitney: Record<'two-sided' | 'less' | 'greater', { U: Encoded; p: Encoded; method: string }>;
  cohensD: Encoded;
  rankBiserial: Encoded;
}

const fixture = JSON.parse(readFileSync(join(__dirname, '../fixtures/stats/cases.json'), 'utf8')) as { cases: Case[] };

function dec(v: Encoded): number {
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  return v;
}

function close(actual: number, expected: number, rtol: number, what: string, atol = 0): void {
  if (Number.isNaN(expected)) {
    assert.ok(Number.isNaN(actual), `${what}: expected NaN, got ${actual}`);
    return;
  }
  if (!Number.isFinite(expected)) {
    assert.equal(actual, expected, what);
    return;
  }
  assert.ok(Math.abs(actual - expected) <= atol + rtol * Math.abs(expected), `${what}: ${actual} vs SciPy ${expected}`);
}

function closeP(actual: number, expected: number, what: string): void {
  if (!Number.isNaN(expected) && actual < 1e-300 && expected < 1e-300) return;
  close(actual, expected, 1e-6, what);
}

for (const c of fixture.cases) {
  const a = Float64Array.from(c.a.map(dec));
  const b = Float64Array.from(c.b.map(dec));
  test(`stats fixture ${c.name}`, () => {
    for (const side of ['a', 'b'] as const) {
      const got = describe(side === 'a' ? a : b);
      const want = c.describe[side];
      assert.equal(got.n, want.n);
      // the mean of 1e9-offset data is exact to ~1 ulp; the std of it to ~1e-9 relative after cancellation
      close(got.mean, dec(want.mean), 1e-9, `${side}.mean`);
      close(got.std, dec(want.std), 1e-9, `${side}.std`);
      close(got.min, dec(want.min), 0, `${side}.min`);
      close(got.max, dec(want.max), 0, `${side}.max`);
      for (const q of ['25', '50', '75', '95'] as const) close(got.percentiles[q], dec(want.percentiles[q]), 1e-9, `${side}.p${q}`);
    }
    for (const [name, fn] of [['student', studentTTest], ['welch', welchTTest]] as const) {
      const got = fn(a, b);
      close(got.t, dec(c[name].t), 1e-9, `${name}.t`);
      close(got.df, dec(c[name].df), 1e-9, `${name}.df`);
      closeP(got.p, dec(c[name].p), `${name}.p`);
    }
    for (const alternative of ['two-sided', 'less', 'greater'] as const) {
      const got = mannWhitneyU(a, b, { alternative });
      const want = c.mannWhitney[alternative];
      assert.equal(got.method, want.method, `${alternative} method`);
      close(got.U, dec(want.U), 1e-9, `${alternative} U`);
      closeP(got.p, dec(want.p), `${alternative} p`);
    }
    close(cohensD(a, b), dec(c.cohensD), 1e-9, 'cohensD');
    close(rankBiserial(mannWhitneyU(a, b).U, a.length, b.length), dec(c.rankBiserial), 1e-9, 'rankBiserial');
  });
}

test('the fixture covers exact, asymptotic, tiny and extreme cases', () => {
  const methods = new Set(fixture.cases.map((c) => c.mannWhitney['two-sided'].method));
  assert.deepEqual([...methods].sort(), ['asymptotic', 'exact']);
  assert.ok(fixture.cases.some((c) => dec(c.mannWhitney['two-sided'].p) < 1e-100));
  assert.ok(fixture.cases.some((c) => dec(c.student.p) < 1e-200 && dec(c.student.p) > 0));
});

test('NaN is rejected with the sample name and index', () => {
  assert.throws(() => mannWhitneyU([1, 2], [3, NaN]), /sample b has NaN at index 1/);
  assert.throws(() => studentTTest([NaN, 1], [3, 4]), /sample a has NaN at index 0/);
  assert.throws(() => describe([1, NaN], 'attention'), /sample attention has NaN at index 1/);
});

test('empty samples: tests throw, describe gives n = 0 and NaN', () => {
  assert.throws(() => mannWhitneyU([], [1]), /sample a is empty/);
  assert.throws(() => welchTTest([1, 2], []), /sample b is empty/);
  const d = describe([]);
  assert.equal(d.n, 0);
  assert.ok(Number.isNaN(d.mean) && Number.isNaN(d.std) && Number.isNaN(d.percentiles['50']));
});

test('method can be forced; a forced exact test on huge samples is refused', () => {
  const a = Float64Array.from({ length: 30 }, (_, i) => i * 1.5);
  const b = Float64Array.from({ length: 20 }, (_, i) => i * 2.1 + 0.2);
  assert.equal(mannWhitneyU(a, b, { method: 'exact' }).method, 'exact');
  assert.equal(mannWhitneyU(a.subarray(0, 4), b.subarray(0, 4), { method: 'asymptotic' }).method, 'asymptotic');
  const exact = mannWhitneyU(a, b, { method: 'exact' }).p;
  const asymptotic = mannWhitneyU(a, b).p;
  assert.ok(Math.abs(exact - asymptotic) < 0.02, `${exact} vs ${asymptotic}`);
  const big = new Float64Array(10_000).map((_, i) => i);
  assert.throws(() => mannWhitneyU(big, big.map((x) => x + 0.5), { method: 'exact' }), /too large; use the asymptotic method/);
});

test('exact null distribution sums to one and is symmetric', () => {
  for (const [m, n] of [[3, 4], [7, 5], [8, 200]]) {
    assert.equal(exactSf(0, m, n), 1);
    assert.equal(exactSf(m * n + 1, m, n), 0);
    for (let k = 0; k <= m * n; k++) {
      // P(U >= k) + P(U >= m n - k + 1) = 1 by symmetry
      close(exactSf(k, m, n) + exactSf(m * n - k + 1, m, n), 1, 1e-12, `symmetry ${m},${n},${k}`);
    }
  }
});

test('bootstrap CI is seeded, ordered and covers the observed difference', () => {
  const a = Float64Array.from({ length: 200 }, (_, i) => Math.sin(i) + 1);
  const b = Float64Array.from({ length: 150 }, (_, i) => Math.cos(i));
  const one = bootstrapMeanDifferenceCI(a, b, { seed: 7, resamples: 500 });
  const two = bootstrapMeanDifferenceCI(a, b, { seed: 7, resamples: 500 });
  const other = bootstrapMeanDifferenceCI(a, b, { seed: 8, resamples: 500 });
  assert.deepEqual(one, two);
  assert.notDeepEqual(one, other);
  const observed = describe(a).mean - describe(b).mean;
  assert.ok(one[0] < observed && observed < one[1], `${one} should contain ${observed}`);
  assert.ok(one[1] - one[0] < 0.5);
});

test('mean-difference CI: bootstrap for small samples, the normal interval beyond 20,000 values, and they agree', () => {
  const random = createRandom(21);
  const a = Float64Array.from({ length: 12_000 }, () => random.normal() * 2 + 1);
  const b = Float64Array.from({ length: 9_000 }, () => random.normal());
  const big = meanDifferenceCI(a, b);
  assert.equal(big.method, 'normal');
  const se = Math.sqrt(describe(a).std ** 2 / a.length + describe(b).std ** 2 / b.length);
  const diff = describe(a).mean - describe(b).mean;
  close(big.interval[1] - diff, 1.959963984540054 * se, 1e-9, 'normal half-width');
  const small = meanDifferenceCI(a.subarray(0, 9_000), b);
  assert.equal(small.method, 'bootstrap');
  const boot = bootstrapMeanDifferenceCI(a, b, { resamples: 400 });
  // percentile bootstrap and normal interval differ by resampling noise only at this size
  assert.ok(Math.abs(boot[0] - big.interval[0]) < 0.25 * (big.interval[1] - big.interval[0]), `${boot} vs ${big.interval}`);
});

test('compareSamples assembles a StatsReport', () => {
  const report = compareSamples([1, 2, 3, 4, 5], [6, 7, 8, 9, 10], { createdAt: 'fixed', bootstrap: { resamples: 100 } });
  assert.equal(report.kind, 'stats');
  assert.equal(report.mannWhitney.method, 'exact');
  assert.equal(report.mannWhitney.U, 0);
  assert.equal(report.effectSize.rankBiserial, -1);
  assert.ok(report.effectSize.cohensD < -3);
  assert.deepEqual(report.samples.a, [1, 2, 3, 4, 5]);
});

test('two samples of 100,000 are compared in well under a second', () => {
  const a = Float64Array.from({ length: 100_000 }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 % 1);
  const b = Float64Array.from({ length: 100_000 }, (_, i) => (Math.cos(i * 78.233) * 12345.678) % 1);
  const start = performance.now();
  const report = compareSamples(a, b, { bootstrap: { resamples: 1 } });
  const elapsed = performance.now() - start;
  assert.equal(report.mannWhitney.method, 'asymptotic');
  assert.ok(elapsed < 1000, `took ${elapsed} ms`);
});
