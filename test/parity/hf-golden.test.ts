/**
 * Parity of whole traces with the PyTorch reference for converted Hugging Face bundles (training/hf_golden.py):
 * preprocessing, prefill ids and M-RoPE positions, the vision outputs, every latent step (saliency, window
 * scores and windows, Extractor attention, latent tokens, distances, LVR's latent criterion), the stop step and
 * reason, the first answer token's attention, the greedy answer and LaRe's DDIM reconstruction from the golden's
 * noise. Tolerance |diff| <= 1e-4 + 1e-4*|golden| (float32 bundles); ids, windows and step counts exactly.
 *
 * The goldens come from LATENT_TRACE_HF_DIR (default .tmp/hf): <dir>/<case>.golden.json, naming its bundle and
 * image relative to itself; the real-architecture smoke (training/hf_smoke.sh) writes them. Without any the test
 * is skipped, saying so, unless LATENT_TRACE_REQUIRE_HF=1 (the test command), where that is a failure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { openEngine } from '../../src/runtime/engine';
import { latentCriterion } from '../../src/runtime/lvr-loop';
import { assertTensorClose as closeTo, goldenSettings, loadGolden, stack, tensorData, windowOf, type Golden } from './golden';

interface HfGolden extends Golden {
  prefillIds: number[];
  visualStart: number;
  grid: { rows: number; cols: number };
  stopReason: string;
  settings: Record<string, unknown> & { lvrThreshold?: number };
}

const DIR = resolve(process.env.LATENT_TRACE_HF_DIR ?? join(__dirname, '..', '..', '.tmp', 'hf'));
const files = existsSync(DIR) ? readdirSync(DIR).filter((f) => f.endsWith('.golden.json')).sort().map((f) => join(DIR, f)) : [];

if (files.length === 0) {
  const required = process.env.LATENT_TRACE_REQUIRE_HF === '1';
  test(`Hugging Face golden traces (none in ${DIR}; run training/hf_smoke.sh)`, { skip: !required }, () => {
    assert.fail(`no *.golden.json in ${DIR}: training/hf_smoke.sh did not produce them`);
  });
}

for (const file of files) {
  test(`whole-trace parity with ${basename(file)}`, async (ctx) => {
    const g = loadGolden(file) as HfGolden;
    const engine = await openEngine(g.bundle);
    try {
      const m = engine.manifest;
      if (m.formatVersion !== 2) throw new Error(`${g.bundle}: the Hugging Face golden traces are of format version 2 bundles`);
      assert.equal(m.hash, (g as unknown as { bundleHash: string }).bundleHash, `${file}: written for another build of ${g.bundle}`);
      if (m.method === 'lvr' && g.settings.lvrStop === 'latent') {
        assert.equal(m.lvr?.threshold, g.settings.lvrThreshold, 'the bundle\'s latent-rule threshold is the golden\'s');
      }
      const L = m.model.layers;
      const D = m.model.hiddenSize;
      const d = await engine.traceDetailed({ image: g.image, question: g.question, settings: goldenSettings(g), keepVisualTokens: true });
      const t = d.trace;
      const T = t.steps.length;
      const N = g.grid.rows * g.grid.cols;
      const tensors = g.tensors;
      const worst: string[] = [];
      const close = (name: string, actual: Float32Array, shape?: number[]) => {
        assert.ok(tensors[name], `${file}: no tensor ${name}`);
        worst.push(`${name} ${closeTo(name, actual, tensors[name], shape).toExponential(1)}`);
      };

      assert.deepEqual(d.questionIds, g.inputIds, 'question token ids');
      const imageId = g.prefillIds[g.visualStart];
      assert.deepEqual(d.inputIds.map((id) => (id < 0 ? imageId : id)), g.prefillIds, 'prefill ids');
      assert.equal(d.inputIds.indexOf(-1), g.visualStart, 'first visual position');
      assert.equal(t.tokens.prompt, g.promptLength, 'prompt length');
      assert.deepEqual(d.grid, g.grid, 'visual grid');

      close('pixels', d.pixels, tensors.pixels.shape);
      if (tensors.position_ids) {
        assert.deepEqual(Array.from(d.positionIds ?? [], Number), Array.from(tensorData(tensors.position_ids)), 'position ids');
      }
      close('visual_tokens', d.visualTokens, [1, N, D]);
      close('local_features', d.localFeatures, [1, N, D]);
      close('prefill_attention', d.prefillAttention, [L, g.promptLength]);

      assert.equal(T, g.stoppedAt, 'latent steps');
      assert.equal(t.stopReason, g.stopReason, 'stop reason');
      if (T > 0) {
        close('saliency', stack(t.steps.map((s) => s.saliency)), [T, N]);
        close('latent_tokens', stack(t.steps.map((s) => s.latentToken)), [T, D]);
        if (m.method === 'lare') {
          close('window_scores', stack(d.windowScores));
          close('cross_attention', stack(t.steps.map((s) => s.extractorAttention!)));
          assert.deepEqual(t.steps.map((s) => s.window && { row: s.window.row, col: s.window.col }), g.windows.map(windowOf), 'windows');
        }
        if (T > 1) {
          const want = tensorData(tensors.distances).subarray(3);
          const ours = stack(t.steps.slice(1).map((s) => Float32Array.from([s.distance!.cosine, s.distance!.l1, s.distance!.l2])));
          worst.push(`distances ${closeTo('distances', ours, { shape: [T - 1, 3], data: Array.from(want) }).toExponential(1)}`);
        }
      }
      if (tensors.latent_criterion && m.lvr) {
        // the criterion is computed on each vector before it is fed: steps 2..T are the ones that did not stop the run
        const lvr = m.lvr;
        const end = latentEndEmbedding(join(g.bundle, lvr.latentEndEmbedding!), D);
        const crit = Float32Array.from(t.steps.slice(1).map((s) => latentCriterion(lvr.criterion, s.latentToken, end)));
        const want = tensorData(tensors.latent_criterion);
        assert.equal(want.length, T, 'one latent criterion per step');
        worst.push(`latent_criterion ${closeTo('latent_criterion', crit, { shape: [T - 1], data: Array.from(want.subarray(0, T - 1)) }).toExponential(1)}`);
        if (t.stopReason === 'latent') assert.ok(want[T - 1] < lvr.threshold && Array.from(crit).every((c) => c >= lvr.threshold), 'the latent rule fires at the last step only');
      }
      close('first_answer_attention', t.firstAnswerAttention.perLayer, [L, N]);
      assert.deepEqual(t.answer.tokenIds, g.answerIds, 'answer ids');
      assert.equal(t.answer.text, g.answerText, 'answer text');

      if (tensors.reconstruction) {
        const rec = await engine.reconstruct(t.steps.map((s) => s.latentToken), { sampler: 'ddim', noise: tensorData(tensors.reconstruction_noise) });
        close('reconstruction', rec.pixels, [T, rec.channels, rec.size, rec.size]);
      }
      ctx.diagnostic(`${m.family}/${m.method} ${basename(file)}: T=${T} (${t.stopReason}), grid ${g.grid.rows}x${g.grid.cols}, ${t.answer.tokenIds.length} answer tokens; max |diff|: ${worst.join(', ')}`);
    } finally {
      await engine.dispose();
    }
  });
}

function latentEndEmbedding(path: string, D: number): Float32Array {
  const bytes = readFileSync(path);
  if (bytes.length !== 4 * D) throw new Error(`${path}: ${bytes.length} bytes, expected ${D} float32 values`);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}
