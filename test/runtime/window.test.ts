import { test } from 'node:test';
import assert from 'node:assert/strict';
import { windowContains } from '../../src/analysis/pointing';
import { chooseWindow, gatherWindowFeatures, saliencyFromAttention, windowPatches } from '../../src/runtime/window';

test('saliency averages the chosen layers over the visual positions only', () => {
  // L=3 layers, K=6 positions, visual tokens at 1..4
  const K = 6;
  const att = new Float32Array(3 * K);
  for (let l = 0; l < 3; l++) for (let k = 0; k < K; k++) att[l * K + k] = l * 10 + k;
  const s = saliencyFromAttention(att, K, [0, 2], 1, 4);
  assert.deepEqual(Array.from(s), [11, 12, 13, 14]);
});

test('saliency rejects visual positions outside the row', () => {
  assert.throws(() => saliencyFromAttention(new Float32Array(6), 6, [0], 4, 4), /outside/);
});

test('window scores are sum-pooled and the first maximum wins (row-major)', () => {
  const grid = { rows: 4, cols: 4 };
  const sal = new Float32Array(16);
  sal[5] = 1; // (1,1)
  sal[10] = 1; // (2,2)
  const c = chooseWindow(sal, grid, 2, 1);
  assert.equal(c.scoreRows, 3);
  assert.equal(c.scoreCols, 3);
  // windows at (1,1) contain both ones: score 2; the first such in row-major order is (1,1)
  assert.deepEqual(c.window, { row: 1, col: 1, size: 2 });
  assert.equal(c.scores[1 * 3 + 1], 2);
  assert.equal(c.scores[0], 1);
});

test('ties pick the first window in row-major order', () => {
  const c = chooseWindow(new Float32Array(16).fill(0.5), { rows: 4, cols: 4 }, 2, 2);
  assert.deepEqual(c.window, { row: 0, col: 0, size: 2 });
  assert.equal(c.scores.length, 4);
});

test('stride skips positions and the window never leaves the grid', () => {
  const sal = new Float32Array(25);
  sal[24] = 1; // bottom-right corner (4,4)
  const c = chooseWindow(sal, { rows: 5, cols: 5 }, 2, 2);
  // positions 0 and 2 only: the corner cell is not coverable, all scores 0 -> first
  assert.equal(c.scoreRows, 2);
  assert.deepEqual(c.window, { row: 0, col: 0, size: 2 });
});

test('window features gather the patches row-major', () => {
  const grid = { rows: 3, cols: 3 };
  const D = 2;
  const feats = Float32Array.from({ length: 9 * D }, (_, i) => i);
  const w = { row: 1, col: 1, size: 2 };
  assert.deepEqual(windowPatches(w, grid), [4, 5, 7, 8]);
  assert.deepEqual(Array.from(gatherWindowFeatures(feats, D, w, grid)), [8, 9, 10, 11, 14, 15, 16, 17]);
});

test('windowContains uses half-open patch ranges', () => {
  const w = { row: 2, col: 1, size: 3 };
  assert.equal(windowContains(w, 1, 2), true);
  assert.equal(windowContains(w, 3.99, 4.99), true);
  assert.equal(windowContains(w, 4, 3), false);
  assert.equal(windowContains(w, 0.99, 3), false);
});

test('bad grids are rejected', () => {
  assert.throws(() => chooseWindow(new Float32Array(15), { rows: 4, cols: 4 }, 2, 1), /grid is 4x4/);
  assert.throws(() => chooseWindow(new Float32Array(4), { rows: 2, cols: 2 }, 3, 1), /does not fit/);
});
