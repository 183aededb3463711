import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_UI, restoreUi, tabsFor } from '../../webview/ui-state';

test('a valid saved state is restored as is', () => {
  const saved = {
    tab: 'convergence', step: 3, layer: 'visualSimilarity', colorMap: 'magma', opacity: 0.25, normalisation: 'global', smooth: true, fade: false, plain: true, answerLayer: 27,
    attnSource: 4, attnLayer: 2, attnHead: 3, attnTarget: 'text', lensLayer: 0,
  };
  assert.deepEqual(restoreUi(saved), saved);
});

test('invalid or missing fields fall back to the defaults one by one', () => {
  assert.deepEqual(restoreUi(undefined), DEFAULT_UI);
  const r = restoreUi({
    tab: 'nope', step: -1, layer: 'saliency', colorMap: 'jet', opacity: 3, normalisation: 'step', smooth: 'yes', fade: 1, plain: 'no', answerLayer: -1,
    attnSource: -2, attnLayer: 0.5, attnHead: 'max', attnTarget: 'audio', lensLayer: 'last',
  });
  assert.deepEqual(r, { ...DEFAULT_UI, layer: 'saliency', normalisation: 'step' });
  assert.equal(restoreUi({ answerLayer: 1.5 }).answerLayer, null);
});

test('tabs follow the content kind', () => {
  assert.deepEqual(tabsFor('trace'), ['trace', 'convergence']);
  assert.deepEqual(tabsFor('compare'), ['comparison', 'convergence']);
  assert.deepEqual(tabsFor('steps'), ['convergence']);
  assert.deepEqual(tabsFor('empty'), []);
  assert.deepEqual(tabsFor('trace', { headAttention: true, lens: true, steps: true }), ['trace', 'attention', 'lens', 'convergence']);
  // a trace without latent steps (a baseline) has no convergence to show
  assert.deepEqual(tabsFor('trace', { headAttention: true, lens: false, steps: false }), ['trace', 'attention']);
});
