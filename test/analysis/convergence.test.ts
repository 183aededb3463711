import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adaptiveStopStep, convergenceCurves, meanInterval, stepDistances } from '../../src/analysis/convergence';
import { stepDistance } from '../../src/analysis/distance';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol * (1 + Math.abs(b)), `${a} vs ${b}`);

test('step distances: cosine distance, L1 and L2', () => {
  const d = stepDistance([3, 4], [4, 3]);
  close(d.cosine, 1 - 24 / 25);
  close(d.l1, 2);
  close(d.l2, Math.SQRT2);
  assert.equal(stepDistance([0, 0], [1, 0]).cosine, 1);
  assert.throws(() => stepDistance([1], [1, 2]), /differ in size/);
  assert.equal(stepDistances([[1, 0], [0, 1], [0, 1]]).length, 2);
  assert.equal(stepDistances([[1, 0], [0, 1], [0, 1]])[1].l2, 0);
});

test('adaptive stopping: first step below the threshold, else the cap', () => {
  const distances = [0.5, 0.3, 0.05, 0.01].map((c) => ({ cosine: c, l1: c * 10, l2: c * 2 }));
  assert.equal(adaptiveStopStep(distances, 'cosine', 0.1, 5), 4);
  assert.equal(adaptiveStopStep(distances, 'l1', 0.2, 5), 5);
  assert.equal(adaptiveStopStep(distances, 'l2', 1.5, 5), 2);
  assert.equal(adaptiveStopStep(distances, 'cosine', 0.1, 3), 3);
  assert.throws(() => adaptiveStopStep(distances, 'cosine', 0.1, 8), /needs 7 distances/);
});

test('mean interval: Student t, degenerate sizes', () => {
  const i = meanInterval([1, 2, 3, 4]);
  close(i.value, 2.5);
  // scipy.stats.t.ppf(0.975, 3) = 3.182446305284263
  close(i.high - i.value, 3.182446305284263 * Math.sqrt(1.6666666666666667 / 4), 1e-9);
  assert.deepEqual(meanInterval([7]), { value: 7, low: 7, high: 7 });
  assert.ok(Number.isNaN(meanInterval([]).value));
});

test('convergence curves average the items that reached each step', () => {
  const mk = (c: number) => ({ cosine: c, l1: c, l2: c });
  const curves = convergenceCurves([[mk(0.4), mk(0.2)], [mk(0.6)]]);
  assert.deepEqual(curves.step, [2, 3]);
  close(curves.cosine[0].value, 0.5);
  assert.deepEqual(curves.l1[1], { value: 0.2, low: 0.2, high: 0.2 });
});
