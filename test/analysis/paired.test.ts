import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { bootstrapMeanCI, mcnemarExact, pairedTTest } from '../../src/analysis/stats';

// written by test/fixtures/causal/generate.py (SciPy's binomtest and ttest_rel, the Python port of the seeded bootstrap)
const cases = JSON.parse(readFileSync('test/fixtures/causal/cases.json', 'utf8')) as {
  mcnemar: { before: boolean[]; after: boolean[]; b: number; c: number; p: number }[];
  ttest: { differences: number[]; t: number | string | null; df: number | null; p: number | null }[];
  bootstrap: { sample: number[]; seed: number; resamples: number; ci: [number, number] }[];
};

const value = (v: number | string | null): number => (v === null ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : (v as number));
function close(got: number, want: number, what: string): void {
  if (Number.isNaN(want) || !Number.isFinite(want)) return assert.ok(Object.is(got, want) || (Number.isNaN(got) && Number.isNaN(want)), `${what}: ${got} vs ${want}`);
  assert.ok(Math.abs(got - want) <= 1e-12 + 1e-9 * Math.abs(want), `${what}: ${got} vs ${want}`);
}

test('exact McNemar equals scipy.stats.binomtest on the discordant pairs', () => {
  assert.equal(cases.mcnemar.length, 5);
  for (const c of cases.mcnemar) {
    const r = mcnemarExact(c.before, c.after);
    assert.equal(r.b, c.b);
    assert.equal(r.c, c.c);
    close(r.p, c.p, `McNemar b=${c.b} c=${c.c}`);
  }
  assert.throws(() => mcnemarExact([true], [true, false]), /paired samples/);
});

test('the paired t-test equals scipy.stats.ttest_rel, degenerate cases included', () => {
  assert.equal(cases.ttest.length, 6);
  for (const c of cases.ttest) {
    const r = pairedTTest(c.differences);
    close(r.t, value(c.t), 't');
    close(r.df, value(c.df), 'df');
    close(r.p, value(c.p), 'p');
  }
});

test('the bootstrap interval of a mean equals the Python port of the seeded generator', () => {
  for (const c of cases.bootstrap) {
    const [lo, hi] = bootstrapMeanCI(c.sample, { resamples: c.resamples, seed: c.seed });
    close(lo, c.ci[0], 'low');
    close(hi, c.ci[1], 'high');
  }
});
