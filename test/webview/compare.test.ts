import { test } from 'node:test';
import assert from 'node:assert/strict';
import { differenceGrid, sharedRange } from '../../webview/compare';

test('the shared range spans both traces, skipping one without values', () => {
  assert.deepEqual(sharedRange([{ min: 0.1, max: 0.4 }, { min: 0.02, max: 0.3 }]), { min: 0.02, max: 0.4 });
  assert.deepEqual(sharedRange([null, { min: 1, max: 2 }]), { min: 1, max: 2 });
  assert.equal(sharedRange([null, null]), null);
});

test('the difference is a − b per cell, NaN where either has no value, with its own range', () => {
  const d = differenceGrid(Float32Array.of(0.5, 0.25, NaN, 1), Float32Array.of(0.25, 0.5, 1, 1));
  assert.equal(d.values.length, 4);
  assert.deepEqual([d.values[0], d.values[1], d.values[3]], [0.25, -0.25, 0]);
  assert.ok(Number.isNaN(d.values[2]));
  assert.deepEqual(d.range, { min: -0.25, max: 0.25 });
  assert.throws(() => differenceGrid([1], [1, 2]), /1 and 2 cells/);
});
