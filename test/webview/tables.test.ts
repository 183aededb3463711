import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tracePatchTable, traceStepTable, compareStepTable, statsPairedTable, statsPairsTable, statsTable, statsTestTable, probingTable, stepsRuleTable, stepsConvergenceTable, longTable, tablesCsv } from '../../webview/tables';
import { slurmTable } from '../../webview/slurm-rows';
import { syntheticTrace } from '../fixtures/traces/synthetic-trace';
import { compareModels } from '../../src/analysis/stats';
import { sampleStats, sampleProbing, sampleSteps } from '../fixtures/reports/sample-reports';

test('the patch table has one row per step and patch with the raw values', () => {
  const trace = syntheticTrace({ steps: 3, grid: 4, imageSize: 32, windowSize: 2 });
  const t = tracePatchTable(trace);
  assert.equal(t.rows.length, 3 * 16);
  const row = t.rows[16 + 5];
  assert.deepEqual(row.slice(0, 4), [2, 5, 1, 1]);
  assert.equal(row[4], trace.steps[1].saliency[5]);
  assert.equal(row.length, t.header.length);
});

test('compare table aligns steps and leaves the shorter trace empty', () => {
  const a = syntheticTrace({ steps: 4, grid: 4, imageSize: 32, windowSize: 2 });
  const b = syntheticTrace({ steps: 2, grid: 4, imageSize: 32, windowSize: 2, seed: 3 });
  const t = compareStepTable(a, b);
  assert.equal(t.rows.length, 4);
  assert.equal(t.rows[3][0], 4);
  assert.ok(t.rows[3].slice(7).every((v) => v === null));
  assert.equal(traceStepTable(a).rows[1][4], a.steps[1].distance!.cosine);
});

test('stats tables follow Table 5 rows and carry raw p-values', () => {
  const r = sampleStats();
  const t = statsTable(r);
  assert.deepEqual(t.header, ['statistic', r.labels.a, r.labels.b]);
  assert.deepEqual(t.rows[4], ['Median', r.a.percentiles['50'], r.b.percentiles['50']]);
  assert.equal(statsTestTable(r).rows[2][3], r.mannWhitney.p);
  assert.deepEqual(statsPairsTable(r).rows, []);
});

test('a k-model stats report: a column per model, a row per pair with its raw and Holm p', () => {
  const r = sampleStats();
  r.comparison = compareModels([
    { label: r.labels.a, values: r.samples.a },
    { label: r.labels.b, values: r.samples.b },
    { label: 'third', values: r.samples.b.map((x) => x + 0.01) },
  ]);
  const t = statsTable(r);
  assert.deepEqual(t.header, ['statistic', r.labels.a, r.labels.b, 'third']);
  assert.equal(t.rows[1][3], r.comparison.models[2].describe.mean);
  const pairs = statsPairsTable(r);
  assert.deepEqual(pairs.rows.map((row) => row[0]), [`${r.labels.a} vs ${r.labels.b}`, `${r.labels.a} vs third`, `${r.labels.b} vs third`]);
  assert.deepEqual(pairs.rows[2].slice(6, 8), [r.comparison.pairs[2].welch.p, r.comparison.pairs[2].welchHolm]);
  assert.ok(pairs.rows.every((row) => row.length === pairs.header.length));
  assert.deepEqual(statsPairedTable(r).rows, [], 'no paired table for unpaired comparisons');
  r.comparison = compareModels(r.comparison.models.map((m) => ({ label: m.label, values: m.sample })), { paired: true });
  const paired = statsPairedTable(r);
  assert.equal(paired.rows.length, 3);
  const q = r.comparison.pairs[1];
  assert.deepEqual(paired.rows[1], [`${r.labels.a} vs third`, q.meanDifference, q.pairedDifferenceCI![0], q.pairedDifferenceCI![1], q.paired!.t, q.paired!.df, q.paired!.p, q.pairedHolm]);
});

test('probing rows are in Table 6 order: w/o Extractor first, SVM before MLP, vision before text', () => {
  const r = sampleProbing();
  const t = probingTable(r);
  const without = `${r.models.ablation} (w/o Extractor)`;
  assert.deepEqual(t.rows.slice(0, 4).map((row) => row.slice(0, 3)), [
    [without, 'SVM', 'vision'], [without, 'SVM', 'text'], [without, 'MLP', 'vision'], [without, 'MLP', 'text'],
  ]);
  assert.equal(t.rows[4][0], `${r.models.model} (with Extractor)`);
});

test('two LaRe models probed as peers: rows named by model, the first model first, no Extractor wording', () => {
  const base = sampleProbing();
  const r = { ...base, models: { model: 'lare-a', ablation: 'lare-b', pairing: 'peer' as const } };
  const t = probingTable(r);
  assert.equal(t.rows.length, base.cells.length);
  assert.deepEqual([...new Set(t.rows.map((row) => row[0]))], ['lare-a', 'lare-b']);
  assert.ok(t.rows.every((row) => !String(row[0]).includes('Extractor')));
  const first = base.cells.find((c) => c.source === 'model' && c.classifier === 'svm' && c.target === 'vision')!;
  assert.equal(t.rows[0][3], first.accuracy.value);
});

test('steps tables keep every rule and every step', () => {
  const r = sampleSteps();
  assert.equal(stepsRuleTable(r).rows.length, r.rows.length);
  const c = stepsConvergenceTable(r);
  assert.equal(c.rows.length, r.convergence.step.length);
  assert.equal(c.rows[1][1], r.convergence.cosine[1].value);
});

test('several tables export as one long table naming table, row and column', () => {
  const a = { header: ['k', 'x', 'y'], rows: [['r1', 1, 2]] };
  const b = { header: ['k', 'z'], rows: [['r2', 'v']] };
  assert.deepEqual(longTable({ a, b }).rows, [['a', 'r1', 'x', 1], ['a', 'r1', 'y', 2], ['b', 'r2', 'z', 'v']]);
  assert.equal(tablesCsv({ a }), 'k,x,y\r\nr1,1,2\r\n');
  assert.equal(tablesCsv({ a, b }).split('\r\n')[0], 'table,row,column,value');
});

test('a Slurm study: one row per shard with its state and items, then the merge job', () => {
  const t = slurmTable({ shards: [{ shard: 0, state: 'done', done: 6, of: 6 }, { shard: 1, state: 'running', done: 2, of: 6 }], merge: { job: '42', state: 'waiting' } });
  assert.deepEqual(t.header, ['job', 'state', 'items']);
  assert.deepEqual(t.rows, [['shard 0', 'done', '6 of 6'], ['shard 1', 'running', '2 of 6'], ['merge (job 42)', 'waiting', '']]);
});
