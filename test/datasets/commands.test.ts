/**
 * The dataset commands end to end on the tiny golden bundles (test/fixtures/golden/bundles) and a few
 * sample items: reports are written, sharded runs merge into the unsharded results, resumes are free.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main } from '../../src/cli/main';
import type { CliIO } from '../../src/cli/io';

const root = resolve(__dirname, '../..');
const bundles = join(root, 'test/fixtures/golden/bundles');
const samples = join(root, 'media/samples/samples.jsonl');
const models = join(root, 'models');
const shipped = ['lare-shapes', 'direct-shapes', 'lvr-shapes'].every((m) => existsSync(join(models, m, 'latent-trace.json'))) && existsSync(samples);
const ready = existsSync(join(bundles, 'lare-tiny/latent-trace.json')) && existsSync(join(bundles, 'direct-tiny/latent-trace.json')) && existsSync(samples);

function captureIO(cwd: string): CliIO & { out: string; err: string } {
  const io = { out: '', err: '', cwd, env: {}, stdout: (t: string) => (io.out += t), stderr: (t: string) => (io.err += t) };
  return io;
}

function smallDataset(dir: string, n: number): string {
  const lines = readFileSync(samples, 'utf8').trim().split('\n').slice(0, n).map((l) => {
    const r = JSON.parse(l);
    r.image = join(root, 'media/samples', r.image);
    return JSON.stringify(r);
  });
  const file = join(dir, 'small.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

test('attention: report files, and shards merged then reported equal the unsharded run', { skip: !ready && 'tiny bundles or samples missing' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lt-attention-'));
  const data = smallDataset(dir, 6);
  const model = ['--model', join(bundles, 'lare-tiny'), '--baseline', join(bundles, 'direct-tiny'), '--workers', '1'];
  const whole = captureIO(dir);
  assert.equal(await main(['attention', data, ...model, '--out', 'whole', '--json'], whole), 0, whole.err);
  const report = JSON.parse(readFileSync(join(dir, 'whole/attention.report.json'), 'utf8'));
  assert.equal(report.kind, 'stats');
  assert.equal(report.a.n, 6);
  assert.deepEqual(report.labels, { a: 'lare-tiny', b: 'direct-tiny' });
  assert.ok(existsSync(join(dir, 'whole/attention.csv')) && existsSync(join(dir, 'whole/attention.md')));
  // the per-item table: each model's items, each with the statistic the samples hold
  assert.equal(report.items.length, 12);
  assert.deepEqual(report.items.filter((i: { model: string }) => i.model === 'lare-tiny').map((i: { statistic: number }) => i.statistic), report.samples.a);
  assert.deepEqual(report.items.filter((i: { model: string }) => i.model === 'direct-tiny').map((i: { statistic: number }) => i.statistic), report.samples.b);
  assert.deepEqual(Object.keys(report.items[0]).sort(), ['answer', 'correct', 'expected', 'id', 'image', 'model', 'question', 'statistic']);
  for (const shard of ['0/2', '1/2']) {
    const io = captureIO(dir);
    assert.equal(await main(['attention', data, ...model, '--out', 'sharded', '--shard', shard], io), 0, io.err);
    assert.match(io.err, /shard finished/);
  }
  const merge = captureIO(dir);
  assert.equal(await main(['merge', 'sharded'], merge), 0, merge.err);
  assert.match(merge.out, /merged 2 shards, 6 items/);
  for (const name of ['attention-lare-tiny.jsonl', 'attention-direct-tiny.jsonl']) {
    assert.equal(readFileSync(join(dir, 'sharded/results', name), 'utf8'), readFileSync(join(dir, 'whole/results', name), 'utf8'));
  }
  const after = captureIO(dir);
  assert.equal(await main(['attention', data, ...model, '--out', 'sharded', '--json'], after), 0, after.err);
  assert.match(after.err, /6 items were already done/);
  const a = JSON.parse(whole.out);
  const b = JSON.parse(after.out);
  assert.deepEqual({ ...b, createdAt: 0 }, { ...a, createdAt: 0 });
  rmSync(dir, { recursive: true });
});

// the tiny golden bundles direct-tiny and lvr-tiny share one content hash, so three distinct models are the shipped ones
test('attention over three models: a row per model, every pair Holm-corrected, the two-model fields kept', { skip: !shipped && 'shipped bundles or samples missing' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lt-attention3-'));
  const data = smallDataset(dir, 5);
  const io = captureIO(dir);
  const args = ['attention', data, '--model', join(models, 'lare-shapes'), '--baseline', `${join(models, 'direct-shapes')},${join(models, 'lvr-shapes')}`, '--workers', '0', '--out', 'o'];
  assert.equal(await main(args, io), 0, io.err);
  const report = JSON.parse(readFileSync(join(dir, 'o/attention.report.json'), 'utf8'));
  assert.deepEqual(report.labels, { a: 'lare-shapes', b: 'direct-shapes' });
  assert.deepEqual(report.comparison.models.map((m: { label: string }) => m.label), ['lare-shapes', 'direct-shapes', 'lvr-shapes']);
  assert.deepEqual(report.comparison.pairs.map((p: { a: string; b: string }) => `${p.a}/${p.b}`), ['lare-shapes/direct-shapes', 'lare-shapes/lvr-shapes', 'direct-shapes/lvr-shapes']);
  assert.equal(report.comparison.family, 3);
  assert.deepEqual(report.comparison.models[0].sample, report.samples.a);
  assert.deepEqual(report.comparison.models[1].sample, report.samples.b);
  assert.equal(report.comparison.pairs[0].welch.p, report.welch.p);
  // the models ran on the same items, so each pair carries the paired t-test of its per-item differences
  const [m0, m2] = [report.comparison.models[0].sample as number[], report.comparison.models[2].sample as number[]];
  const d = m0.map((x, i) => x - m2[i]);
  const md = d.reduce((s, x) => s + x, 0) / d.length;
  const sd = Math.sqrt(d.reduce((s, x) => s + (x - md) ** 2, 0) / (d.length - 1));
  assert.ok(Math.abs(report.comparison.pairs[1].paired.t - md / (sd / Math.sqrt(d.length))) <= 1e-9 * Math.abs(report.comparison.pairs[1].paired.t));
  assert.equal(report.comparison.pairs[1].paired.df, d.length - 1);
  assert.match(readFileSync(join(dir, 'o/attention.md'), 'utf8'), /Paired on the item/);
  assert.deepEqual(report.comparison.models[2].sample, report.items.filter((i: { model: string }) => i.model === 'lvr-shapes').map((i: { statistic: number }) => i.statistic));
  assert.match(readFileSync(join(dir, 'o/attention.csv'), 'utf8'), /^statistic,lare-shapes,direct-shapes,lvr-shapes,test_statistic,p_value,p_holm\r\n/);
  assert.match(io.out, /family of 3 pairs/);
  const same = captureIO(dir);
  assert.equal(await main(['attention', data, '--model', join(models, 'lare-shapes'), '--baseline', join(models, 'direct-shapes'), '--baseline', join(models, 'direct-shapes'), '--out', 'p'], same), 2);
  assert.match(same.err, /direct-shapes is direct-shapes itself/);
  rmSync(dir, { recursive: true });
});

test('steps: fixed T rows, adaptive rows and convergence curves', { skip: !ready && 'tiny bundles or samples missing' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lt-steps-'));
  const data = smallDataset(dir, 3);
  const io = captureIO(dir);
  assert.equal(await main(['steps', data, '--model', join(bundles, 'lare-tiny'), '--max-t', '3', '--workers', '0', '--out', 'o', '--json'], io), 0, io.err);
  const r = JSON.parse(io.out);
  assert.deepEqual(r.rows.map((row: { rule: string }) => row.rule), ['T=1', 'T=2', 'T=3', 'cosine', 'l1', 'l2']);
  assert.deepEqual(r.rows.slice(0, 3).map((row: { meanSteps: number }) => row.meanSteps), [1, 2, 3]);
  assert.deepEqual(r.convergence.step, [2, 3]);
  assert.equal(r.items, 3);
  assert.deepEqual(r.itemTable.map((i: { id: string }) => i.id), ['0', '1', '2']);
  assert.equal(r.itemTable[1].question, 'what shape is the red object?');
  // the T = 3 row's accuracy is the mean of the table's correct column
  assert.equal(r.itemTable.filter((i: { correct: boolean }) => i.correct).length / 3, r.rows[2].accuracy);
  assert.ok(existsSync(join(dir, 'o/steps.md')));
  rmSync(dir, { recursive: true });
});

test('dataset commands: usage errors are one line with exit code 2', async () => {
  const io = captureIO(tmpdir());
  assert.equal(await main(['attention', 'x.jsonl', '--shard', '3/2', '--baseline', 'b'], io), 2);
  assert.match(io.err, /--shard must be i\/n/);
  const io2 = captureIO(tmpdir());
  assert.equal(await main(['probe'], io2), 2);
  assert.match(io2.err, /expected one dataset file/);
  const io3 = captureIO(tmpdir());
  assert.equal(await main(['merge', join(tmpdir(), 'no-such-out-dir')], io3), 2);
  assert.match(io3.err, /does not exist/);
});
