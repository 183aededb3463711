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
import { assertTensorClose as closeTo, goldenFiles, goldenSettings, loadGolden, stack, tensorData, windowOf, type Golden } from './golden';

const files = goldenFiles();

test('golden traces exist for the lare, lvr and direct tiny bundles', () => {
  const methods = new Set(files.map((f) => basename(f).split('-')[0]));
  for (const m of ['lare', 'lvr', 'direct']) assert.ok(methods.has(m), `no golden trace named ${m}-*.json in test/fixtures/golden`);
});

for (const file of files) {
  test(`parity with ${basename(file)}`, async (ctx) => {
    const g: Golden = loadGolden(file);
    const engine = await openEngine(g.bundle);
    try {
      const m = engine.manifest;
      if (m.formatVersion !== 1) throw new Error(`${g.bundle}: the golden traces are of format version 1 bundles`);
      const N = m.model.visualTokens;
      const D = m.model.hiddenSize;
      const d = await engine.traceDetailed({ image: g.image, question: g.question, settings: goldenSettings(g), keepVisualTokens: true });
      const t = d.trace;
      const T = t.steps.length;
      const tensors = g.tensors;
      const worst: string[] = [];
      const assertTensorClose = (name: string, ...rest: Parameters<typeof closeTo> extends [string, ...infer R] ? R : never) => {
        worst.push(`${name} ${closeTo(name, ...rest).toExponential(1)}`);
      };

      assert.equal(t.tokens.prompt, g.promptLength, 'prompt length');
      assert.deepEqual(d.questionIds, g.inputIds, 'question token ids');

      assertTensorClose('pixels', d.pixels, tensors.pixels, [1, 3, m.image.size, m.image.size]);
      assertTensorClose('visual_tokens', d.visualTokens, tensors.visual_tokens, [1, N, D]);
      assertTensorClose('local_features', d.localFeatures, tensors.local_features, [1, N, D]);
      if (tensors.prefill_attention) assertTensorClose('prefill_attention', d.prefillAttention, tensors.prefill_attention, [m.model.layers, g.promptLength]);

      assert.equal(T, g.stoppedAt, 'latent steps');
      if (T > 0) {
        if (tensors.saliency) assertTensorClose('saliency', stack(t.steps.map((s) => s.saliency)), tensors.saliency, [T, N]);
        assertTensorClose('latent_tokens', stack(t.steps.map((s) => s.latentToken)), tensors.latent_tokens, [T, D]);
        if (tensors.window_scores) assertTensorClose('window_scores', stack(d.windowScores), tensors.window_scores);
        if (tensors.cross_attention) {
          assertTensorClose('cross_attention', stack(t.steps.map((s) => s.extractorAttention!)), tensors.cross_attention);
        }
        if (g.windows?.length) {
          assert.deepEqual(t.steps.map((s) => s.window && { row: s.window.row, col: s.window.col }), g.windows.map(windowOf), 'windows');
        }
        if (tensors.distances && T > 1) {
          // row 0 of the golden is null (step 1 has no previous token): compare steps 2..T
          const want = tensorData(tensors.distances);
          const skip = tensors.distances.shape[0] === T ? 3 : 0;
          const ours = stack(t.steps.slice(1).map((s) => Float32Array.from([s.distance!.cosine, s.distance!.l1, s.distance!.l2])));
          assertTensorClose('distances', ours, { shape: [T - 1, 3], data: Array.from(want.subarray(skip)) });
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
      ctx.diagnostic(`max |diff|: ${worst.join(', ')}`);
    } finally {
      await engine.dispose();
    }
  });
}
