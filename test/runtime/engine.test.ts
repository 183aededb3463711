import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openEngine, type TraceEngine } from '../../src/runtime/engine';
import { Decoder, need } from '../../src/runtime/decoder';
import { OnnxSessions } from '../../src/runtime/onnx';
import { runIntervention, tokenFromOtherImage } from '../../src/runtime/interventions';
import { CONTRACT_BUNDLE, bundleVariant, removeVariants, squareImage } from './contract-bundle';
import { join } from 'node:path';

let engine: TraceEngine;
let image: Buffer;
const question = 'what color is the square?';

before(async () => {
  engine = await openEngine(CONTRACT_BUNDLE);
  image = await squareImage();
});
after(async () => {
  await engine.dispose();
  await removeVariants();
});

test('a LaRe trace has every per-step field with the right sizes', async () => {
  const t = await engine.trace({ image, imageName: 'sq.png', question, keepVisualTokens: true });
  const m = engine.manifest;
  assert.equal(m.formatVersion, 1);
  const N = m.model.visualTokens!;
  assert.equal(t.stoppedAt, 4);
  assert.equal(t.stopReason, 'fixed');
  assert.equal(t.steps.length, 4);
  t.steps.forEach((s, i) => {
    assert.equal(s.index, i + 1);
    assert.equal(s.saliency.length, N);
    assert.ok(s.window && s.window.row + s.window.size <= 4 && s.window.col + s.window.size <= 4);
    assert.equal(s.extractorAttention?.length, 2 * 4);
    assert.equal(s.latentToken.length, m.model.hiddenSize);
    assert.equal(s.visualSimilarity.length, N);
    assert.equal(s.distance === null, i === 0);
    // saliency is a slice of a softmax row: positive, sums to at most 1
    const sum = s.saliency.reduce((a, b) => a + b, 0);
    assert.ok(sum > 0 && sum <= 1 + 1e-5);
  });
  // <bos> + 16 visual tokens + 6 question tokens + <|latent_start|>
  assert.deepEqual(t.tokens, { prompt: 24, latent: 4, answer: t.answer.tokenIds.length });
  assert.equal(t.firstAnswerAttention.perLayer.length, 2 * N);
  assert.ok(Math.abs(t.firstAnswerAttention.total - t.firstAnswerAttention.mean.reduce((a, b) => a + b, 0)) < 1e-6);
  assert.equal(t.visualTokens?.length, N * m.model.hiddenSize);
  assert.equal(t.model.hash, m.hash);
  for (const k of ['image', 'vision', 'prefill', 'latent', 'answer', 'total']) assert.ok(t.timingsMs[k] >= 0, k);
});

test('runs are deterministic and sessions are reused', async () => {
  const a = await engine.trace({ image, question });
  const b = await engine.trace({ image, question });
  assert.deepEqual(a.steps, b.steps);
  assert.deepEqual(a.answer, b.answer);
  assert.ok(b.timingsMs.load < 20, `second run reloaded sessions (${b.timingsMs.load} ms)`);
});

test('the KV cache gives the same last position as one pass over the whole sequence', async () => {
  const sessions = new OnnxSessions();
  try {
    const m = engine.manifest;
    const D = m.model.hiddenSize;
    const dec = new Decoder(await sessions.get(join(CONTRACT_BUNDLE, 'decoder.onnx')), m);
    const S = 7;
    const embeds = Float32Array.from({ length: S * D }, (_, i) => Math.sin(i * 0.37));
    const whole = await dec.run(dec.empty(), embeds, S);
    let state = dec.empty();
    let last = whole.step;
    for (let i = 0; i < S; i++) ({ state, step: last } = await dec.run(state, embeds.subarray(i * D, (i + 1) * D), 1));
    assert.equal(last.positions, S);
    for (const k of ['logits', 'lastHidden', 'hiddenStates', 'attention'] as const) {
      const mine = need(last, k);
      const ref = need(whole.step, k);
      assert.equal(mine.length, ref.length, k);
      mine.forEach((v, i) => assert.ok(Math.abs(v - ref[i]) < 1e-5, `${k}[${i}]`));
    }
  } finally {
    await sessions.dispose();
  }
});

test('adaptive stopping: a large threshold stops at step 2, a tiny one runs to the cap', async () => {
  const early = await engine.trace({ image, question, settings: { stop: 'l2', threshold: 1e6 } });
  assert.equal(early.stoppedAt, 2);
  assert.equal(early.stopReason, 'threshold');
  const capped = await engine.trace({ image, question, settings: { stop: 'cosine', threshold: 0, maxLatentSteps: 6 } });
  assert.equal(capped.stoppedAt, 6);
  assert.equal(capped.stopReason, 'max-steps');
});

test('interventions: zero a step, copy a step, and report the answer change', async () => {
  const base = await engine.trace({ image, question });
  const zeroed = await engine.trace({ image, question, settings: { intervention: { kind: 'zero', step: 2 } } });
  assert.ok(zeroed.steps[1].latentToken.every((v) => v === 0));
  assert.deepEqual(zeroed.steps[0], base.steps[0]);
  const copied = await engine.trace({ image, question, settings: { intervention: { kind: 'replace-with-step', step: 3, source: 1 } } });
  assert.deepEqual(copied.steps[2].latentToken, copied.steps[0].latentToken);
  await assert.rejects(engine.trace({ image, question, settings: { intervention: { kind: 'replace-with-step', step: 1, source: 3 } } }), /only earlier steps/);

  const r = await runIntervention(engine, { image, question }, { kind: 'replace-with-step', step: 1, source: 4 }, base);
  assert.deepEqual(r.intervened.steps[0].latentToken, base.steps[3].latentToken);
  assert.equal(r.effect.baseAnswer, base.answer.text);
  assert.ok(r.effect.baseAnswerProb > 0 && r.effect.baseAnswerProb <= 1);
  assert.ok(r.effect.baseAnswerProbAfter > 0 && r.effect.baseAnswerProbAfter <= 1);
  assert.equal(r.effect.probChange, r.effect.baseAnswerProbAfter - r.effect.baseAnswerProb);

  // an intervention that changes nothing leaves the probability unchanged
  const same = await runIntervention(engine, { image, question }, { kind: 'replace-with-step', step: 2, source: 2 }, base);
  assert.ok(Math.abs(same.effect.probChange) < 1e-9);
  assert.equal(same.effect.answerChanged, false);

  const other = await tokenFromOtherImage(engine, { image: await squareImage(20, 20), imageName: 'other.png', question }, 1);
  const swapped = await runIntervention(engine, { image, question }, { kind: 'replace-with-token', step: 1, token: other.token, sourceLabel: other.label }, base);
  assert.deepEqual(swapped.intervened.steps[0].latentToken, other.token);
  assert.equal(other.label, 'other.png step 1');
});

test('reconstructions: every step in one batch, seeded, or from injected noise', async () => {
  const t = await engine.trace({ image, question, reconstruct: { seed: 3 } });
  const rec = t.reconstructions!;
  assert.equal(rec.sampler, 'ddim');
  assert.equal(rec.samplerSteps, 10);
  assert.equal(rec.pixels.length, 4 * 3 * 8 * 8);
  const again = await engine.reconstruct(t.steps.map((s) => s.latentToken), { seed: 3 });
  assert.deepEqual(again.pixels, rec.pixels);
  const noise = new Float32Array(4 * 3 * 8 * 8).fill(0.5);
  const a = await engine.reconstruct(t.steps.map((s) => s.latentToken), { noise });
  const b = await engine.reconstruct(t.steps.map((s) => s.latentToken), { noise, seed: 99 });
  assert.deepEqual(a.pixels, b.pixels);
  const ddpm = await engine.reconstruct(t.steps.slice(0, 1).map((s) => s.latentToken), { sampler: 'ddpm' });
  assert.equal(ddpm.samplerSteps, 100);
  assert.equal(ddpm.pixels.length, 3 * 8 * 8);
});

test('encodeText returns the last hidden states of [bos, text]', async () => {
  const e = await engine.encodeText('the red square');
  assert.equal(e.length, 4);
  assert.equal(e.hidden.length, 4 * 16);
});

test('question edge cases: empty and 10,000 characters', async () => {
  await assert.rejects(engine.trace({ image, question: '   ' }), { name: 'InputError', message: 'the question is empty' });
  await assert.rejects(engine.trace({ image, question: 'red '.repeat(2500) }), { name: 'InputError', message: /the question is 2500 tokens long; this model takes at most \d+ \(maxPositions 96\)/ });
});

test('cancellation stops a run between ONNX calls within 100 ms', async () => {
  const controller = new AbortController();
  let abortedAt = 0;
  const run = engine.trace({
    image,
    question,
    reconstruct: true,
    signal: controller.signal,
    onProgress: (p) => {
      if (p.stage === 'latent' && p.step === 2) {
        abortedAt = performance.now();
        controller.abort();
      }
    },
  });
  await assert.rejects(run, { name: 'AbortError' });
  const elapsed = performance.now() - abortedAt;
  assert.ok(elapsed < 100, `took ${elapsed.toFixed(1)} ms to stop`);
  // the engine keeps its sessions and still works
  const t = await engine.trace({ image, question });
  assert.equal(t.stoppedAt, 4);
});

test('an already aborted signal runs nothing', async () => {
  await assert.rejects(engine.trace({ image, question, signal: AbortSignal.abort() }), { name: 'AbortError' });
});

test('LVR loop: hidden state fed back, fixed / end-token / end-distance stopping', async () => {
  const dir = await bundleVariant((m) => {
    m.method = 'lvr';
    m.defaults.lvrStop = 'fixed';
    m.defaults.lvrEndDistance = 1e6;
  });
  const lvr = await openEngine(dir);
  try {
    const t = await lvr.trace({ image, question });
    assert.equal(t.stoppedAt, 4);
    assert.equal(t.steps[0].window, null);
    assert.equal(t.steps[0].extractorAttention, null);
    // step t+1's latent is the last hidden state after feeding step t: consecutive steps differ
    assert.notDeepEqual(t.steps[0].latentToken, t.steps[1].latentToken);
    const near = await lvr.trace({ image, question, settings: { lvrStop: 'end-distance' } });
    assert.equal(near.stopReason, 'end-distance');
    assert.equal(near.stoppedAt, 1);
    const tok = await lvr.trace({ image, question, settings: { lvrStop: 'end-token', maxLatentSteps: 3 } });
    assert.ok(['end-token', 'max-steps'].includes(tok.stopReason));
    assert.ok(tok.stoppedAt <= 3);
  } finally {
    await lvr.dispose();
  }
});

test('direct bundles answer right after the prefill', async () => {
  const dir = await bundleVariant((m) => {
    m.method = 'direct';
    m.prompt.template = ['<bos>', '{image}', '{question}'];
    delete m.saliency;
    delete m.window;
    delete m.extractor;
  });
  const direct = await openEngine(dir);
  try {
    const t = await direct.trace({ image, question, reconstruct: true });
    assert.equal(t.steps.length, 0);
    assert.equal(t.stopReason, 'none');
    assert.equal(t.tokens.prompt, 23);
    assert.equal(t.reconstructions, undefined);
  } finally {
    await direct.dispose();
  }
});

test('a LaRe bundle without an Extractor uses the window mean', async () => {
  const dir = await bundleVariant((m) => {
    m.extractor = null;
  });
  const plain = await openEngine(dir);
  try {
    const t = await plain.trace({ image, question, keepVisualTokens: true });
    assert.equal(t.steps[0].extractorAttention, null);
    assert.equal(t.steps[0].latentToken.length, 16);
  } finally {
    await plain.dispose();
  }
});

test('an unavailable execution provider falls back to CPU with one clear message', async () => {
  const logs: string[] = [];
  const gpu = await openEngine(CONTRACT_BUNDLE, { executionProvider: 'cuda', log: (level, m) => logs.push(`${level}: ${m}`) });
  try {
    const t = await gpu.trace({ image, question });
    assert.equal(t.stoppedAt, 4);
  } finally {
    await gpu.dispose();
  }
  assert.equal(logs.length, 1, logs.join('\n'));
  assert.match(logs[0], /^warn: execution provider "cuda" .*; using CPU$/);
});

test('concurrent runs on one engine give the same traces as sequential ones', async () => {
  const other = await squareImage(16, 8);
  const [a, b] = await Promise.all([engine.trace({ image, question }), engine.trace({ image: other, question })]);
  const a2 = await engine.trace({ image, question });
  const b2 = await engine.trace({ image: other, question });
  assert.deepEqual(a.steps, a2.steps);
  assert.deepEqual(b.steps, b2.steps);
  assert.deepEqual(b.answer, b2.answer);
});

test('dispose releases the sessions; the engine refuses work afterwards', async () => {
  const e = await openEngine(CONTRACT_BUNDLE);
  await e.trace({ image, question });
  await e.dispose();
  await assert.rejects(e.trace({ image, question }), /the engine was disposed/);
});
