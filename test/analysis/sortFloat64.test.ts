import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom } from '../../src/analysis/random';
import { RADIX_MIN, sortedFloat64 } from '../../src/analysis/stats/sortFloat64';

function sameAsNative(values: Float64Array): void {
  const want = values.slice().sort();
  const got = sortedFloat64(values);
  assert.equal(got.length, want.length);
  for (let i = 0; i < want.length; i++) {
    // Object.is tells -0 from +0, which the native order also separates
    if (!Object.is(got[i], want[i])) assert.fail(`index ${i}: ${got[i]} vs ${want[i]}`);
  }
}

test('radix sort orders like the native sort across signs, zeros, infinities, subnormals and ties', () => {
  const random = createRandom(3);
  const specials = [0, -0, Infinity, -Infinity, 5e-324, -5e-324, 2.2250738585072014e-308, -Number.MAX_VALUE, Number.MAX_VALUE, 1, -1];
  const n = 3 * RADIX_MIN + 7;
  const values = Float64Array.from({ length: n }, (_, i) => {
    if (i % 50 === 0) return specials[random.int(specials.length)];
    if (i % 7 === 0) return Math.round(random.normal() * 3);
    return random.normal() * Math.exp(random.normal() * 20);
  });
  sameAsNative(values);
});

test('small samples and the input are left as they were', () => {
  const values = Float64Array.of(3, -1, 2);
  assert.deepEqual(Array.from(sortedFloat64(values)), [-1, 2, 3]);
  assert.deepEqual(Array.from(values), [3, -1, 2]);
  assert.equal(sortedFloat64([]).length, 0);
  const large = Float64Array.from({ length: RADIX_MIN }, (_, i) => RADIX_MIN - i);
  const copy = large.slice();
  sameAsNative(large);
  assert.deepEqual(large, copy);
});
