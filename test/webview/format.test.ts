import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatP, formatNumber, formatPercent, formatMs, fileStem } from '../../webview/format';

test('p-values: fixed above 0.001, scientific below, floor at 1e-300', () => {
  assert.equal(formatP(0.5), '0.500');
  assert.equal(formatP(0.001), '0.001');
  assert.equal(formatP(0.000123), '1.23e-4');
  assert.equal(formatP(2.5e-120), '2.50e-120');
  assert.equal(formatP(0), '< 1e-300');
  assert.equal(formatP(5e-324), '< 1e-300');
});

test('impossible p-values print as a dash', () => {
  assert.equal(formatP(NaN), '—');
  assert.equal(formatP(-0.1), '—');
  assert.equal(formatP(1.5), '—');
});

test('numbers keep significant digits and switch to scientific at the extremes', () => {
  assert.equal(formatNumber(10.8412), '10.84');
  assert.equal(formatNumber(0), '0');
  assert.equal(formatNumber(1234567), '1.235e+6');
  assert.equal(formatNumber(0.0001234), '1.234e-4');
  assert.equal(formatNumber(NaN), '—');
  assert.equal(formatNumber(-Infinity), '−∞');
});

test('percent and milliseconds', () => {
  assert.equal(formatPercent(0.9471), '94.7');
  assert.equal(formatMs(3.21), '3.2 ms');
  assert.equal(formatMs(250.4), '250 ms');
  assert.equal(formatMs(12_345), '12.3 s');
});

test('file stems drop image and JSON extensions and unsafe characters', () => {
  assert.equal(fileStem('synthetic-disc.png', 'convergence'), 'synthetic-disc-convergence');
  assert.equal(fileStem('a b/c.JPEG', 'step3'), 'a_b_c-step3');
  assert.equal(fileStem('x'.repeat(300)).length, 120);
});
