import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rangeOf, toUnit, legendTicks } from '../../webview/normalise';

test('rangeOf skips NaN and infinities and spans several arrays', () => {
  assert.deepEqual(rangeOf([Float32Array.of(NaN, 2, 5), [Infinity, -1]]), { min: -1, max: 5 });
});

test('rangeOf of nothing finite is null', () => {
  assert.equal(rangeOf([Float32Array.of(NaN, NaN)]), null);
  assert.equal(rangeOf([]), null);
});

test('toUnit maps linearly and clamps', () => {
  const r = { min: 2, max: 6 };
  assert.equal(toUnit(2, r), 0);
  assert.equal(toUnit(4, r), 0.5);
  assert.equal(toUnit(6, r), 1);
  assert.equal(toUnit(-10, r), 0);
  assert.equal(toUnit(10, r), 1);
});

test('a constant range maps to 0', () => {
  assert.equal(toUnit(3, { min: 3, max: 3 }), 0);
});

test('legend ticks span the range evenly', () => {
  assert.deepEqual(legendTicks({ min: 0, max: 1 }, 5), [0, 0.25, 0.5, 0.75, 1]);
  assert.throws(() => legendTicks({ min: 0, max: 1 }, 1), RangeError);
});
