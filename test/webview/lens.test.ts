import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lensCaption, lensLayers } from '../../webview/lens';
import { syntheticTrace } from '../fixtures/traces/synthetic-trace';

test('lens layers are the union over steps, ascending, from the embeddings', () => {
  const trace = syntheticTrace({ steps: 2, grid: 4, imageSize: 32, windowSize: 2, layers: 3, lens: true });
  assert.deepEqual(lensLayers(trace), [0, 1, 2, 3]);
  trace.steps[0].lens = [{ layer: 5, tokens: [], patches: [] }];
  trace.steps[1].lens = [{ layer: 2, tokens: [], patches: [] }];
  assert.deepEqual(lensLayers(trace), [2, 5]);
  assert.deepEqual(lensLayers(syntheticTrace({ steps: 2, grid: 4, imageSize: 32, windowSize: 2 })), []);
});

test('the lens is called plain logit lens unless the trace says tuned', () => {
  assert.match(lensCaption('logit-lens'), /^Plain logit lens/);
  assert.match(lensCaption(undefined), /^Plain logit lens/);
  assert.match(lensCaption('tuned-lens'), /^Tuned lens/);
});

test('synthetic lens probabilities are a top-k of a distribution, descending', () => {
  const trace = syntheticTrace({ steps: 3, grid: 4, imageSize: 32, windowSize: 2, lens: true });
  for (const s of trace.steps) for (const e of s.lens!) {
    const p = e.tokens.map((t) => t.prob);
    assert.ok(p.every((v, i) => i === 0 || v <= p[i - 1]), 'descending');
    assert.ok(p.reduce((a, b) => a + b, 0) <= 1 + 1e-9, 'at most 1');
  }
});
