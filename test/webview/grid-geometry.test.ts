import { test } from 'node:test';
import assert from 'node:assert/strict';
import { windowRect, patchAt, extractorAttentionOnGrid, renderScale, fitSize } from '../../webview/grid-geometry';

const grid = { rows: 16, cols: 16 };

test('a window maps to its pixel rectangle on a 1024 px canvas', () => {
  assert.deepEqual(windowRect({ row: 2, col: 3, size: 4 }, grid, 1024, 1024), { x: 192, y: 128, w: 256, h: 256 });
});

test('non-square canvases scale rows and columns separately', () => {
  assert.deepEqual(windowRect({ row: 1, col: 1, size: 2 }, { rows: 4, cols: 8 }, 800, 400), { x: 100, y: 100, w: 200, h: 200 });
});

test('patchAt returns the row-major patch under a point', () => {
  assert.deepEqual(patchAt(0, 0, grid, 1024, 1024), { row: 0, col: 0, index: 0 });
  assert.deepEqual(patchAt(1023.9, 1023.9, grid, 1024, 1024), { row: 15, col: 15, index: 255 });
  assert.deepEqual(patchAt(64, 128, grid, 1024, 1024), { row: 2, col: 1, index: 33 });
});

test('patchAt outside the canvas is null', () => {
  assert.equal(patchAt(-1, 5, grid, 1024, 1024), null);
  assert.equal(patchAt(5, 1024, grid, 1024, 1024), null);
  assert.equal(patchAt(NaN, 5, grid, 1024, 1024), null);
});

test('extractor attention is averaged over layers into the window, NaN elsewhere', () => {
  const att = Float32Array.of(1, 2, 3, 4, 3, 4, 5, 6); // 2 layers of a 2x2 window
  const out = extractorAttentionOnGrid(att, { row: 1, col: 2, size: 2 }, { rows: 3, cols: 4 });
  assert.equal(out.length, 12);
  const expected = [NaN, NaN, NaN, NaN, NaN, NaN, 2, 3, NaN, NaN, 4, 5];
  expected.forEach((e, i) => (Number.isNaN(e) ? assert.ok(Number.isNaN(out[i]), `cell ${i}`) : assert.equal(out[i], e)));
});

test('extractor attention of the wrong length or a window off the grid is a RangeError', () => {
  assert.throws(() => extractorAttentionOnGrid(new Float32Array(5), { row: 0, col: 0, size: 2 }, grid), /multiple of 4/);
  assert.throws(() => extractorAttentionOnGrid(new Float32Array(4), { row: 15, col: 0, size: 2 }, grid), /exceeds/);
});

test('small images are drawn at an integer scale of at least 768 px; large ones 1:1', () => {
  assert.equal(renderScale(64, 64), 12);
  assert.equal(renderScale(224, 100), 4);
  assert.equal(renderScale(1024, 1024), 1);
  assert.throws(() => renderScale(0, 0), RangeError);
});

test('fitSize keeps the aspect and fits both bounds', () => {
  assert.deepEqual(fitSize(1024, 1024, 700, 500), { width: 500, height: 500 });
  assert.deepEqual(fitSize(64, 32, 640, 1000), { width: 640, height: 320 });
  assert.deepEqual(fitSize(100, 100, -5, 10), { width: 0, height: 0 });
});
