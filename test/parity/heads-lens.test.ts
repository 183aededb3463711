/**
 * Per-head attention and the logit lens against the PyTorch reference (training/golden.py recomputes
 * them without a KV cache, one forward pass per source position): for every golden of a bundle with a
 * lens graph, the rows equal within 1e-4 and the lens's top-k tokens and patches are the same ids with
 * probabilities and cosines within 1e-4.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { openEngine } from '../../src/runtime/engine';
import { assertTensorClose, goldenFiles, goldenSettings, loadGolden, tensorData } from './golden';

const goldens = goldenFiles().map(loadGolden).filter((g) => g.tensors.head_attention);

test('the shipped LaRe and LVR goldens carry per-head attention and the lens', () => {
  assert.deepEqual(goldens.map((g) => basename(g.file)).sort(), ['lare-fine.json', 'lare-shapes-cosine.json', 'lare-shapes.json', 'lvr-shapes.json']);
});

for (const g of goldens) {
  test(`per-head attention and logit lens match ${basename(g.file)}`, async () => {
    const engine = await openEngine(g.bundle);
    try {
      const m = engine.manifest;
      const k = (g as unknown as { lensK: number }).lensK;
      const t = await engine.trace({ image: g.image, question: g.question, settings: goldenSettings(g), headAttention: true, lens: { k } });
      const ha = t.headAttention!;
      const T = t.steps.length;
      assert.equal(T, g.stoppedAt);
      assert.deepEqual(ha.sources.map((s) => s.position), Array.from(tensorData(g.tensors.head_positions)));
      assert.deepEqual(ha.sources.map((s) => `${s.kind}${s.index}`), [...t.steps.map((s) => `latent${s.index}`), 'answer0']);
      assertTensorClose('head_attention', ha.rows, g.tensors.head_attention, [ha.sources.length, m.model.layers, m.model.heads, ha.positions]);
      // the head mean is the graph's own head-averaged row: the first answer token's matches firstAnswerAttention
      const L = m.model.layers;
      const H = m.model.heads;
      const K = ha.positions;
      const a = ha.sources.length - 1;
      const { offset, count } = ha.layout.image;
      for (let l = 0; l < L; l++) {
        for (let v = 0; v < count; v++) {
          let mean = 0;
          for (let h = 0; h < H; h++) mean += ha.rows[((a * L + l) * H + h) * K + offset + v] / H;
          assert.ok(Math.abs(mean - t.firstAnswerAttention.perLayer[l * count + v]) < 1e-5, `layer ${l} visual ${v}`);
        }
      }
      assert.equal(t.lensKind, 'logit-lens');
      const ids = tensorData(g.tensors.lens_token_ids);
      const probs = tensorData(g.tensors.lens_token_probs);
      const patches = tensorData(g.tensors.lens_patch_ids);
      const cosines = tensorData(g.tensors.lens_patch_cosines);
      assert.deepEqual(g.tensors.lens_token_ids.shape, [T, L + 1, k]);
      let worst = 0;
      t.steps.forEach((s, i) => {
        assert.equal(s.lens!.length, L + 1);
        s.lens!.forEach((e, l) => {
          assert.equal(e.layer, l);
          const at = (i * (L + 1) + l) * k;
          assert.deepEqual(e.tokens.map((x) => x.id), Array.from(ids.subarray(at, at + k)), `step ${s.index} layer ${l} tokens`);
          assert.deepEqual(e.patches.map((x) => x.index), Array.from(patches.subarray(at, at + k)), `step ${s.index} layer ${l} patches`);
          e.tokens.forEach((x, j) => (worst = Math.max(worst, Math.abs(x.prob - probs[at + j]))));
          e.patches.forEach((x, j) => (worst = Math.max(worst, Math.abs(x.cosine - cosines[at + j]))));
        });
      });
      assert.ok(worst < 1e-4, `lens probabilities/cosines differ by ${worst}`);
    } finally {
      await engine.dispose();
    }
  });
}
