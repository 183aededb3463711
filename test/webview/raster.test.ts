import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rasteriseGrid, reconstructionRgba } from '../../webview/raster';
import { colorMapLut } from '../../webview/colormap';

test('grid values become colour-map pixels; NaN is transparent', () => {
  const out = new Uint8ClampedArray(12);
  rasteriseGrid(Float32Array.of(0, NaN, 10), { min: 0, max: 10 }, colorMapLut('gray'), out);
  assert.deepEqual([...out], [0, 0, 0, 255, 0, 0, 0, 0, 255, 255, 255, 255]);
});

test('a null range draws nothing', () => {
  const out = new Uint8ClampedArray(8).fill(9);
  rasteriseGrid([1, 2], null, colorMapLut('gray'), out);
  assert.equal(out[3], 0);
  assert.equal(out[7], 0);
});

test('a raster buffer of the wrong size is a RangeError', () => {
  assert.throws(() => rasteriseGrid([1, 2], { min: 0, max: 1 }, colorMapLut('gray'), new Uint8ClampedArray(4)), RangeError);
});

test('reconstructions map [-1, 1] to [0, 255] per channel for the chosen step', () => {
  // 2 steps x 3 channels x 1x1
  const px = Float32Array.of(0, 0, 0, -1, 0, 1);
  assert.deepEqual([...reconstructionRgba(px, 1, 3, 1)], [0, 128, 255, 255]);
});

test('single-channel reconstructions are grey and values outside [-1, 1] clamp', () => {
  assert.deepEqual([...reconstructionRgba(Float32Array.of(3), 0, 1, 1)], [255, 255, 255, 255]);
});

test('a step beyond the pixels sent is a RangeError', () => {
  assert.throws(() => reconstructionRgba(new Float32Array(3), 1, 3, 1), RangeError);
  assert.throws(() => reconstructionRgba(new Float32Array(4), 0, 4, 1), /4 channels/);
});

test('with fade, alpha grows with the value from transparent at the low end to opaque at the top', () => {
  const out = new Uint8ClampedArray(4 * 4);
  rasteriseGrid(Float32Array.of(0, 2.5, 10, NaN), { min: 0, max: 10 }, colorMapLut('gray'), out, true);
  // sqrt(0.25) = 0.5 of 255
  assert.deepEqual([out[3], out[7], out[11], out[15]], [0, 128, 255, 0]);
  // the colour is the colour map's whatever the alpha
  assert.deepEqual([...out.subarray(8, 11)], [...colorMapLut('gray').subarray(255 * 3, 256 * 3)]);
});
