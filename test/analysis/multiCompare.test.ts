import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { compareModels, compareSamples } from '../../src/analysis/stats';
import { statsTables } from '../../src/present/reportTables';

// written by test/fixtures/nulls/generate.py: four samples, every pair's scipy.stats.ttest_ind(equal_var=False)
// and mannwhitneyu (asymptotic, two-sided), Holm over the six pairs; ttest_rel of the same samples as items
const { multi } = JSON.parse(readFileSync('test/fixtures/nulls/cases.json', 'utf8')) as {
  multi: { samples: number[][]; pairs: { a: number; b: number; welchT: number; welchP: number; U: number; mannWhitneyP: number; welchHolm: number; mannWhitneyHolm: number; pairedT: number; pairedP: number; pairedHolm: number }[] };
};

const close = (got: number, want: number, what: string, rtol = 1e-9) => assert.ok(Math.abs(got - want) <= 1e-300 + rtol * Math.abs(want), `${what}: ${got} vs ${want}`);
const labels = ['lare', 'direct', 'noext', 'lvr'];
const samples = multi.samples.map((values, k) => ({ label: labels[k], values }));

test('Table 5 over four models: every pair in model order, SciPy Welch and Mann-Whitney, Holm over the six pairs', () => {
  const c = compareModels(samples);
  assert.equal(c.family, 6);
  assert.equal(c.correction, 'holm');
  assert.deepEqual(c.models.map((m) => [m.label, m.describe.n, m.sample.length]), labels.map((l) => [l, 60, 60]));
  assert.equal(c.pairs.length, multi.pairs.length);
  c.pairs.forEach((p, k) => {
    const want = multi.pairs[k];
    assert.deepEqual([p.a, p.b], [labels[want.a], labels[want.b]]);
    close(p.welch.t, want.welchT, `${p.a} vs ${p.b} t`);
    close(p.welch.p, want.welchP, `${p.a} vs ${p.b} Welch p`, 1e-6);
    close(p.mannWhitney.U, want.U, `${p.a} vs ${p.b} U`);
    close(p.mannWhitney.p, want.mannWhitneyP, `${p.a} vs ${p.b} Mann-Whitney p`, 1e-6);
    close(p.welchHolm, want.welchHolm, `${p.a} vs ${p.b} Welch Holm`, 1e-6);
    close(p.mannWhitneyHolm, want.mannWhitneyHolm, `${p.a} vs ${p.b} Mann-Whitney Holm`, 1e-6);
    assert.ok(p.meanDifferenceCI[0] <= p.meanDifference && p.meanDifference <= p.meanDifferenceCI[1]);
  });
  assert.ok(c.pairs.every((p) => p.paired === undefined && p.pairedHolm === undefined), 'unpaired unless asked');
  assert.throws(() => compareModels(samples.slice(0, 1)), /at least two models/);
  assert.throws(() => compareModels([samples[0], { ...samples[1], label: 'lare' }]), /labels must differ/);
});

test('paired on the item: every pair gets SciPy ttest_rel and Holm over the pairs as its own family, and a CI of the paired mean difference', () => {
  const c = compareModels(samples, { paired: true });
  c.pairs.forEach((p, k) => {
    const want = multi.pairs[k];
    close(p.paired!.t, want.pairedT, `${p.a} vs ${p.b} paired t`);
    close(p.paired!.p, want.pairedP, `${p.a} vs ${p.b} paired p`, 1e-6);
    assert.equal(p.paired!.df, 59);
    close(p.pairedHolm!, want.pairedHolm, `${p.a} vs ${p.b} paired Holm`, 1e-6);
    close(p.welch.p, want.welchP, `${p.a} vs ${p.b} Welch p is unchanged`, 1e-6);
    const [lo, hi] = p.pairedDifferenceCI!;
    assert.ok(lo <= p.meanDifference && p.meanDifference <= hi, `${p.a} vs ${p.b} paired CI ${lo}..${hi}`);
  });
  // items that move together: the unpaired test cannot see a shift the paired test finds
  const base = Array.from({ length: 40 }, (_, i) => Math.sin(i) * 0.3);
  const shifted = compareModels([{ label: 'a', values: base.map((x, i) => x + 0.01 + 0.001 * Math.cos(3 * i)) }, { label: 'b', values: base }], { paired: true }).pairs[0];
  assert.ok(shifted.paired!.p < 1e-20 && shifted.welch.p > 0.5, `paired ${shifted.paired!.p}, Welch ${shifted.welch.p}`);
  assert.throws(() => compareModels([samples[0], { label: 'short', values: samples[1].values.slice(1) }], { paired: true }), /one value per item each, got lengths 60, 59/);
});

test('the paired tests in the Markdown and the CSV', () => {
  const report = compareSamples(multi.samples[0], multi.samples[1], { labels: { a: 'lare', b: 'direct' }, measure: 'attention' });
  report.comparison = compareModels(samples, { paired: true });
  const { csv, markdown } = statsTables(report);
  const p = report.comparison.pairs[5];
  assert.ok(csv.trim().split('\r\n').includes(`paired t: noext vs lvr,,,,,${p.paired!.t},${p.paired!.p},${p.pairedHolm}`));
  assert.match(markdown, /\| Pair \| Mean difference \[95% paired CI\] \| Paired t \(df\) \| p \| p \(Holm\) \|/);
  assert.match(markdown, /\| noext vs lvr \| [^|]+ \| [-\d.]+ \(59\.0\) \|/);
});

test('the k-model report: one column per model in the CSV and the Markdown, each pair with its Holm p and the family size', () => {
  const report = compareSamples(multi.samples[0], multi.samples[1], { labels: { a: 'lare', b: 'direct' }, measure: 'attention' });
  report.comparison = compareModels(samples);
  const { csv, markdown } = statsTables(report);
  const rows = csv.trim().split('\r\n');
  assert.equal(rows[0], 'statistic,lare,direct,noext,lvr,test_statistic,p_value,p_holm');
  assert.ok(rows.every((r) => r.split(',').length >= 8));
  const lvr = rows.find((r) => r.startsWith("Welch's t: direct vs lvr,")) as string;
  const p = report.comparison.pairs.find((x) => x.a === 'direct' && x.b === 'lvr')!;
  assert.equal(lvr, `Welch's t: direct vs lvr,,,,,${p.welch.t},${p.welch.p},${p.welchHolm}`);
  assert.match(markdown, /\| Statistic \| lare \| direct \| noext \| lvr \|/);
  assert.match(markdown, /family of 6 pairs/);
  assert.equal((markdown.match(/^\| \S+ vs \S+ \|/gm) ?? []).length, 6);
});
