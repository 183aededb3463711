import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedHistogram, binCount } from '../../webview/histogram';

test('both samples share edges and every value is counted once', () => {
  const h = sharedHistogram([0, 1, 2, 3], [2, 4], 4);
  assert.deepEqual(h.edges, [0, 1, 2, 3, 4]);
  assert.deepEqual(h.a, [1, 1, 1, 1]);
  assert.deepEqual(h.b, [0, 0, 1, 1]);
});

test('constant samples get a unit-wide range around the value', () => {
  const h = sharedHistogram([5, 5], [5], 2);
  assert.deepEqual(h.edges, [4.5, 5, 5.5]);
  assert.deepEqual(h.a, [0, 2]);
});

test('empty and non-finite samples give an empty histogram', () => {
  assert.deepEqual(sharedHistogram([], [NaN], 3), { edges: [], a: [], b: [] });
});

test('Sturges bin count is clamped to [5, 50]', () => {
  assert.equal(binCount(1), 5);
  assert.equal(binCount(1000), 11);
  assert.equal(binCount(2 ** 60), 50);
});

test('a non-integer bin count is a RangeError', () => {
  assert.throws(() => sharedHistogram([1], [2], 0), RangeError);
});
