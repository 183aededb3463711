import { test } from 'node:test';
import assert from 'node:assert/strict';
import { distanceSeries, fewStepsNote, traceThreshold } from '../../webview/convergence';
import { syntheticTrace } from '../fixtures/traces/synthetic-trace';

test('distance series have null for the first step and decrease on the synthetic trace', () => {
  const trace = syntheticTrace({ steps: 5 });
  const l2 = distanceSeries(trace, 'l2');
  assert.equal(l2.length, 5);
  assert.equal(l2[0], null);
  for (let i = 2; i < 5; i++) assert.ok((l2[i] as number) < (l2[i - 1] as number), `step ${i + 1}`);
});

test("only the trace's own stop rule has a threshold", () => {
  const trace = syntheticTrace({ steps: 3 });
  assert.equal(traceThreshold(trace, 'cosine'), 0.02);
  assert.equal(traceThreshold(trace, 'l1'), null);
});

test('traces with fewer than two latent steps get a note instead of an empty chart', () => {
  const one = syntheticTrace({ steps: 1, grid: 4, imageSize: 32, windowSize: 2 });
  const four = syntheticTrace({ steps: 4, grid: 4, imageSize: 32, windowSize: 2, modelName: 'four' });
  assert.deepEqual(distanceSeries(one, 'cosine'), [null]);
  assert.equal(fewStepsNote([four]), null);
  assert.equal(fewStepsNote([one]), 'Distances need two latent steps; this trace ran one, so there is no curve to plot.');
  assert.equal(fewStepsNote([four, one]), 'Distances need two latent steps; B (synthetic-lare, 1 step) has no curve.');
});
