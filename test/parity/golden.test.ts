/**
 * Parity with the PyTorch reference: for every golden trace in test/fixtures/golden, the TypeScript
 * engine reproduces the inputs and every intermediate tensor. Tolerance: |diff| <= 1e-4 + 1e-4*|golden|
 * (the 1e-4 max abs; the relative term only matters for the few values above 1, e.g. L1
 * distances summed over the hidden size). Windows, token ids and step counts must match exactly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { openEngine } from '../../src/runtime/engine';
import { assertTensorClose, goldenFiles, goldenSettings, loadGolden, stack, tensorData, windowOf, type Golden, type GoldenTensor } from './golden';

const files = goldenFiles();

test('golden traces exist for the lare, lvr and direct tiny bundles', () => {
  const methods = new Set(files.map((f) => basename(f).split('-')[0]));
  for (const m of ['lare', 'lvr', 'direct']) assert.ok(methods.has(m), `no golden trace named ${m}-*.json in test/fixtures/golden`);
});

for (const file of files) {
  test(`parity with ${basename(file)}`, async () => {
    const g: Golden = loadGolden(file);
    const engine = await openEngine(g.bundle);
    try {
      const m = engine.manifest;
      const N = m.model.visualTokens;
      const D = m.model.hiddenSize;
      const d = await engine.traceDetailed({ image: g.image, question: g.question, settings: goldenSettings(g), keepVisualTokens: true });
      const t = d.trace;
      const T = t.steps.length;
      const tensors = g.tensors;

      assert.equal(t.tokens.prompt, g.promptLength, 'prompt length');
      const textIds = (ids: number[]) => ids.filter((_, i) => d.inputIds[i] >= 0);
      assert.deepEqual(textIds(d.inputIds), textIds(g.inputIds), 'prompt token ids (visual positions excluded)');

      assertTensorClose('pixels', d.pixels, tensors.pixels, [1, 3, m.image.size, m.image.size]);
      assertTensorClose('visual_tokens', d.visualTokens, tensors.visual_tokens, [1, N, D]);
      assertTensorClose('local_features', d.localFeatures, tensors.local_features, [1, N, D]);

      assert.equal(T, g.stoppedAt, 'latent steps');
      if (T > 0) {
        assertTensorClose('saliency', stack(t.steps.map((s) => s.saliency)), tensors.saliency, [T, N]);
        assertTensorClose('latent_tokens', stack(t.steps.map((s) => s.latentToken)), tensors.latent_tokens, [T, D]);
        if (tensors.window_scores) assertTensorClose('window_scores', stack(d.windowScores), tensors.window_scores);
        if (tensors.cross_attention) {
          assertTensorClose('cross_attention', stack(t.steps.map((s) => s.extractorAttention!)), tensors.cross_attention);
        }
        if (g.windows?.length) {
          assert.deepEqual(t.steps.map((s) => s.window && { row: s.window.row, col: s.window.col }), g.windows.map(windowOf), 'windows');
        }
        if (tensors.distances && T > 1) {
          const rows = tensors.distances.shape[0];
          const ours = t.steps.slice(1).map((s) => Float32Array.from([s.distance!.cosine, s.distance!.l1, s.distance!.l2]));
          if (rows === T) ours.unshift(Float32Array.from(golden3(tensors.distances)));
          assertTensorClose('distances', stack(ours), tensors.distances);
        }
      }
      assertTensorClose('first_answer_attention', t.firstAnswerAttention.perLayer, tensors.first_answer_attention, [m.model.layers, N]);
      assert.deepEqual(t.answer.tokenIds, g.answerIds, 'answer ids');
      assert.equal(t.answer.text, g.answerText, 'answer text');

      if (tensors.reconstruction && tensors.reconstruction_noise && T > 0) {
        const noise = tensorData(tensors.reconstruction_noise);
        const rec = await engine.reconstruct(t.steps.map((s) => s.latentToken), { sampler: 'ddim', noise });
        assertTensorClose('reconstruction', rec.pixels, tensors.reconstruction, [T, rec.channels, rec.size, rec.size]);
      }
    } finally {
      await engine.dispose();
    }
  });
}

/** the golden's first distance row (step 1 has no previous step: whatever the reference wrote there) */
function golden3(t: GoldenTensor): number[] {
  return Array.from(tensorData(t).subarray(0, 3));
}
