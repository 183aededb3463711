import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COLOR_MAPS, colorMapLut, cssColor } from '../../webview/colormap';

const rgbAt = (lut: Uint8ClampedArray, i: number) => [lut[i * 3], lut[i * 3 + 1], lut[i * 3 + 2]];

test('every colour map has 256 RGB entries', () => {
  for (const name of COLOR_MAPS) assert.equal(colorMapLut(name).length, 768, name);
});

test('viridis ends at matplotlib values and is exact at anchors', () => {
  const lut = colorMapLut('viridis');
  assert.deepEqual(rgbAt(lut, 0), [68, 1, 84]);
  assert.deepEqual(rgbAt(lut, 255), [253, 231, 37]);
});

test('perceptual maps get brighter from low to high values', () => {
  for (const name of ['viridis', 'magma', 'inferno', 'gray'] as const) {
    const lut = colorMapLut(name);
    const luma = (i: number) => 0.2126 * lut[i * 3] + 0.7152 * lut[i * 3 + 1] + 0.0722 * lut[i * 3 + 2];
    for (let i = 16; i < 256; i += 16) assert.ok(luma(i) > luma(i - 16), `${name} at ${i}`);
  }
});

test('turbo is blue at the low end and red at the high end', () => {
  const lut = colorMapLut('turbo');
  const [r0, , b0] = rgbAt(lut, 26);
  const [r1, , b1] = rgbAt(lut, 255);
  assert.ok(b0 > r0 && r1 > b1);
});

test('cssColor clamps t into [0, 1]', () => {
  assert.equal(cssColor('gray', -3), 'rgb(0, 0, 0)');
  assert.equal(cssColor('gray', 7), 'rgb(255, 255, 255)');
});

test('an unknown colour map is a RangeError', () => {
  assert.throws(() => colorMapLut('jet' as never), RangeError);
});
