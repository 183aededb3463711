import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { pointingSummary, randomObjectRate, uniformWindowRate, type PointingItem, type WindowGeometry } from '../../src/analysis/pointing';
import { bootstrapMeanCI, holm, mcnemarP, pairedAccuracy, poissonBinomialPmf, poissonBinomialTest } from '../../src/analysis/stats';
import { POISSON_BINOMIAL_MAX_EXACT } from '../../src/analysis/stats/poissonBinomial';

// written by test/fixtures/nulls/generate.py (SciPy's binomtest/binom, numpy convolution, Holm by enumeration, window enumeration)
const cases = JSON.parse(readFileSync('test/fixtures/nulls/cases.json', 'utf8')) as {
  mcnemar: { b: number; c: number; p: number }[];
  poissonBinomial: { hits: boolean[]; probabilities: number[]; pGreater: number; p: number }[];
  holm: { p: number[]; adjusted: number[] }[];
  pointing: { geometry: WindowGeometry; target: [number, number]; objects: [number, number][]; uniform: number; randomObject: number | null }[];
};

function close(got: number, want: number, what: string, rtol = 1e-9): void {
  if (want < 1e-300) return assert.ok(got < 1e-300, `${what}: ${got} vs ${want}`);
  assert.ok(Math.abs(got - want) <= 1e-14 + rtol * Math.abs(want), `${what}: ${got} vs ${want}`);
}

test('exact McNemar on discordant counts equals scipy.stats.binomtest, b + c = 0 and b + c in the thousands included', () => {
  assert.equal(cases.mcnemar.length, 10);
  for (const c of cases.mcnemar) close(mcnemarP(c.b, c.c), c.p, `b=${c.b} c=${c.c}`);
});

test('the Poisson-binomial test equals SciPy for equal probabilities and the convolved PMF for unequal ones', () => {
  assert.equal(cases.poissonBinomial.length, 8);
  for (const c of cases.poissonBinomial) {
    const r = poissonBinomialTest(c.hits, c.probabilities);
    assert.equal(r.n, c.hits.length);
    assert.equal(r.k, c.hits.filter(Boolean).length);
    close(r.pGreater, c.pGreater, `P(X >= ${r.k}) of ${r.n}`, 1e-8);
    close(r.p, c.p, `two-sided p, k ${r.k} of ${r.n}`, 1e-8);
    close(r.expected, c.probabilities.reduce((s, p) => s + p, 0) / c.hits.length, 'expected');
  }
  assert.ok(cases.poissonBinomial.every((c) => poissonBinomialTest(c.hits, c.probabilities).method === 'exact'));
  assert.throws(() => poissonBinomialTest([true], [1.5]), /must be in \[0, 1\]/);
  assert.throws(() => poissonBinomialTest([true], []), /1 outcomes for 0/);
  assert.ok(Number.isNaN(poissonBinomialTest([], []).p));
});

test('above 20,000 items the Poisson-binomial test is its normal approximation, close to the exact tails', () => {
  const n = POISSON_BINOMIAL_MAX_EXACT + 1;
  const probabilities = Array.from({ length: n }, (_, i) => 0.05 + 0.3 * ((i * 7919) % 1000) / 1000);
  const mean = probabilities.reduce((a, b) => a + b, 0);
  for (const shift of [-80, 0, 60]) {
    const k = Math.round(mean) + shift;
    const hits = Array.from({ length: n }, (_, i) => i < k);
    const approx = poissonBinomialTest(hits, probabilities);
    assert.equal(approx.method, 'normal');
    const pmf = poissonBinomialPmf(probabilities);
    let upper = 0;
    for (let j = k; j <= n; j++) upper += pmf[j];
    assert.ok(Math.abs(approx.pGreater - upper) < 2e-3 * Math.max(upper, 0.01), `k ${k}: ${approx.pGreater} vs exact ${upper}`);
  }
  const certain = poissonBinomialTest(Array.from({ length: n }, () => true), Array.from({ length: n }, () => 1));
  assert.deepEqual([certain.p, certain.pGreater], [1, 1]);
});

test("Holm's adjustment equals the step-down maxima, NaN stays out of the family", () => {
  for (const c of cases.holm) holm(c.p).forEach((x, i) => close(x, c.adjusted[i], `Holm ${c.p}`));
  const withNaN = holm([0.01, NaN, 0.04]);
  assert.ok(Number.isNaN(withNaN[1]));
  assert.deepEqual([withNaN[0], withNaN[2]], [0.02, 0.04]);
});

test('the uniform-window and random-object null rates equal the enumeration of every window position', () => {
  assert.equal(cases.pointing.length, 12);
  for (const c of cases.pointing) {
    close(uniformWindowRate(c.target, c.geometry), c.uniform, 'uniform');
    const r = randomObjectRate(c.target, c.objects, c.geometry);
    if (c.randomObject === null) assert.equal(r, null);
    else close(r as number, c.randomObject, 'random object');
  }
});

test('the pointing summary: per step, any step as 1 - (1 - p)^T, per type, items without objects counted', () => {
  const g = { rows: 4, cols: 4, size: 2, stride: 1 }; // 9 positions; a point in the middle cell of a row is in 2 of 3 starts
  const hit = { row: 1, col: 1, size: 2 };
  const miss = { row: 0, col: 0, size: 2 };
  const items: PointingItem[] = [
    { type: 'a', target: [2.5, 2.5], objects: [[2.5, 2.5], [0.5, 0.5]], windows: [miss, hit] },
    { type: 'a', target: [2.5, 2.5], objects: null, windows: [hit, hit] },
    { type: 'b', target: [0.5, 0.5], objects: [[0.5, 0.5]], windows: [miss, null] },
    { type: 'b', target: [0.5, 0.5], objects: [[0.5, 0.5]], windows: [null, null] },
  ];
  const s = pointingSummary(items, g);
  assert.equal(s.n, 3);
  assert.equal(s.withoutObjects, 1);
  assert.deepEqual(s.rows.map((r) => [r.step, r.n, r.hits]), [[1, 3, 2], [2, 2, 2], ['any', 3, 3]]);
  assert.equal(s.rate, 1);
  const pMid = uniformWindowRate([2.5, 2.5], g);
  const pCorner = uniformWindowRate([0.5, 0.5], g);
  assert.equal(pMid, 4 / 9);
  assert.equal(pCorner, 1 / 9);
  const any = s.rows[2];
  close(any.uniform.expected, ((1 - (1 - pMid) ** 2) * 2 + pCorner) / 3, 'any-step uniform null');
  assert.equal(any.randomObject?.n, 2);
  // item 1: object (2.5, 2.5) -> 1, object (0.5, 0.5) -> its one window contains (2.5, 2.5)? no -> 0; mean 1/2; two windows
  close(any.randomObject?.expected as number, ((1 - 0.5 ** 2) + 1) / 2, 'any-step random-object null');
  assert.deepEqual(Object.keys(s.perType), ['a', 'b']);
  assert.deepEqual(s.perType.b.map((r) => [r.step, r.n, r.hits]), [[1, 1, 1], ['any', 1, 1]]);
  assert.equal(s.perType.a[0].randomObject?.n, 1);
});

test('the paired accuracy comparison: discordant counts, McNemar, the paired bootstrap interval of the differences', () => {
  const a = [true, true, true, false, false, true, true, false, true, true];
  const b = [true, false, false, false, true, true, false, false, true, false];
  const r = pairedAccuracy(a, b);
  assert.deepEqual([r.n, r.aOnly, r.bOnly], [10, 4, 1]);
  assert.equal(r.accuracyA, 0.7);
  assert.equal(r.accuracyB, 0.4);
  close(r.difference, 0.3, 'difference');
  assert.equal(r.mcnemarP, mcnemarP(4, 1));
  assert.deepEqual(r.differenceCI, bootstrapMeanCI(a.map((x, i) => Number(x) - Number(b[i]))));
  assert.deepEqual(r.bootstrap, { resamples: 2000, level: 0.95, seed: 0 });
  assert.ok(r.differenceCI[0] <= r.difference && r.difference <= r.differenceCI[1]);
  assert.throws(() => pairedAccuracy([true], [true, false]), /same items/);
  assert.throws(() => pairedAccuracy([], []), /at least one/);
});
