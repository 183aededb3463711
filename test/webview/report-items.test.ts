import { test } from 'node:test';
import assert from 'node:assert/strict';
import { outlierItems, queryItems, reportItems, type ItemQuery } from '../../src/present/report-items';
import type { ReportItem } from '../../src/shared/reports';
import { sampleStats, sampleSteps } from '../fixtures/reports/sample-reports';

const items: ReportItem[] = [
  { id: 'item 10', image: '/d/0010.png', question: 'what color is the square?', answer: 'red', expected: 'red', correct: true, statistic: 0.4, model: 'lare' },
  { id: 'item 2', image: '/d/0002.png', question: 'is there a blue square?', answer: 'yes', expected: 'no', correct: false, statistic: 0.9, model: 'lare' },
  { id: 'item 3', image: '/d/0003.png', question: 'what shape is the red object?', answer: 'circle', correct: undefined, model: 'base' },
  { id: 'item 1', image: '/d/0001.png', question: 'how many circles?', answer: '2', expected: '2', correct: true, statistic: 0.1, model: 'base' },
];
const q = (patch: Partial<ItemQuery>): string[] => queryItems(items, { sort: 'id', descending: false, filter: '', correct: 'all', ...patch }).map((it) => it.id);

test('items sort naturally by text, numerically by statistic, missing values last either way', () => {
  assert.deepEqual(q({}), ['item 1', 'item 2', 'item 3', 'item 10']);
  assert.deepEqual(q({ descending: true }), ['item 10', 'item 3', 'item 2', 'item 1']);
  assert.deepEqual(q({ sort: 'statistic' }), ['item 1', 'item 10', 'item 2', 'item 3']);
  assert.deepEqual(q({ sort: 'statistic', descending: true }), ['item 2', 'item 10', 'item 1', 'item 3']);
  assert.deepEqual(q({ sort: 'expected' }), ['item 1', 'item 2', 'item 10', 'item 3']);
});

test('the filter matches any text column case-insensitively, and right/wrong select by correctness', () => {
  assert.deepEqual(q({ filter: 'SQUARE' }), ['item 2', 'item 10']);
  assert.deepEqual(q({ filter: '0003' }), ['item 3'], 'the image path counts');
  assert.deepEqual(q({ correct: 'wrong' }), ['item 2']);
  assert.deepEqual(q({ correct: 'right', filter: 'circles' }), ['item 1']);
  assert.deepEqual(q({ filter: 'nothing like this' }), []);
});

test('outliers are the points beyond Tukey fences of their model', () => {
  const xs = [1, 2, 3, 4, 100].map((v, i): ReportItem => ({ id: `i${i}`, image: '', question: '', answer: '', statistic: v, model: 'a' }));
  // Q1 = 2, Q3 = 4 (linear interpolation), fences -1 and 7
  assert.deepEqual(outlierItems(xs).map((it) => it.id), ['i4']);
  assert.deepEqual(outlierItems([...xs, { ...xs[0], id: 'other', model: 'b', statistic: 1000 }], 'a').map((it) => it.id), ['i4']);
  assert.deepEqual(outlierItems(xs.slice(0, 3)), [], 'too few to have quartiles');
});

test('every report kind gives its item table (steps keeps it apart from its item count)', () => {
  const s = sampleStats();
  assert.deepEqual(reportItems({ ...s, items }), items);
  assert.deepEqual(reportItems(s), []);
  const st = sampleSteps();
  assert.deepEqual(reportItems({ ...st, itemTable: items }), items);
});

test('the panel guard checks report items by field', async () => {
  const { assertReport } = await import('../../src/shared/protocol');
  assertReport({ ...sampleStats(), items });
  assert.throws(() => assertReport({ ...sampleStats(), items: [{ ...items[0], id: 3 }] }), /report.items\[0\].id: expected a string/);
  assert.throws(() => assertReport({ ...sampleSteps(), itemTable: [{ ...items[0], correct: 'yes' }] }), /report.itemTable\[0\].correct/);
});
