import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LayerCache, hasLayer, layerGrid } from '../../webview/heatmap-layers';
import { syntheticTrace } from '../fixtures/traces/synthetic-trace';

const trace = syntheticTrace({ steps: 4, grid: 8, imageSize: 64, windowSize: 3 });

test('saliency and similarity layers are the raw step arrays', () => {
  assert.equal(layerGrid(trace, 2, 'saliency'), trace.steps[2].saliency);
  assert.equal(layerGrid(trace, 1, 'visualSimilarity'), trace.steps[1].visualSimilarity);
});

test('the extractor layer has values exactly inside the window', () => {
  const g = layerGrid(trace, 3, 'extractorAttention');
  const w = trace.steps[3].window!;
  let inside = 0;
  g.forEach((v, i) => {
    const r = Math.floor(i / 8);
    const c = i % 8;
    const inWindow = r >= w.row && r < w.row + w.size && c >= w.col && c < w.col + w.size;
    assert.equal(Number.isFinite(v), inWindow, `cell ${i}`);
    if (inWindow) inside++;
  });
  assert.equal(inside, 9);
});

test('a step without an Extractor gives an all-NaN grid and hasLayer says so', () => {
  const t = syntheticTrace({ steps: 2, grid: 4, imageSize: 32, windowSize: 2 });
  t.steps.forEach((s) => (s.extractorAttention = null));
  assert.equal(hasLayer(t, 'extractorAttention'), false);
  assert.ok(layerGrid(t, 0, 'extractorAttention').every(Number.isNaN));
});

test('a step outside the trace is a RangeError', () => {
  assert.throws(() => layerGrid(trace, 9, 'saliency'), /step 9 is outside/);
});

test('global normalisation spans all steps; per-step spans one', () => {
  const cache = new LayerCache(trace);
  const global = cache.range(0, 'saliency', 'global')!;
  const perStep = cache.range(0, 'saliency', 'step')!;
  assert.ok(global.min <= perStep.min && global.max >= perStep.max);
  const max = Math.max(...trace.steps.flatMap((s) => [...s.saliency]));
  assert.equal(global.max, max);
  assert.equal(cache.grid(1, 'saliency'), cache.grid(1, 'saliency'));
});
