import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attentionRow, orderedSources, sourceLabel, splitRow, tokenAlphas } from '../../webview/head-attention';
import { assertTrace } from '../../src/shared/protocol';
import { decodeTrace, encodeTrace } from '../../src/shared/trace-codec';
import type { HeadAttention } from '../../src/shared/trace';
import { syntheticTrace } from '../fixtures/traces/synthetic-trace';

const ATOL = 1e-6;
const RTOL = 1e-5;

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= ATOL + RTOL * Math.abs(expected[i]), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

/** 2 sources, 2 layers, 3 heads, 5 positions; value = 1000*source + 100*layer + 10*head + position */
function tiny(): HeadAttention {
  const rows = new Float32Array(2 * 2 * 3 * 5);
  for (let s = 0; s < 2; s++) for (let l = 0; l < 2; l++) for (let k = 0; k < 3; k++) for (let p = 0; p < 5; p++) {
    rows[((s * 2 + l) * 3 + k) * 5 + p] = 1000 * s + 100 * l + 10 * k + p;
  }
  return {
    layers: 2, heads: 3, positions: 5,
    layout: { image: { offset: 0, count: 2 }, question: { offset: 2, count: 1, tokens: ['dog'] }, latents: { offset: 3, count: 2 }, answer: { offset: 5, count: 0 } },
    sources: [{ kind: 'latent', index: 2, position: 4 }, { kind: 'prompt-last', index: 0, position: 2 }],
    rows,
  };
}

test('a head row is the [source, layer, head] slice of the rows', () => {
  const ha = tiny();
  close(attentionRow(ha, 1, 1, 2), [1120, 1121, 1122, 1123, 1124], 'source 1, layer 1, head 2');
  close(attentionRow(ha, 0, 0, 0), [0, 1, 2, 3, 4], 'source 0, layer 0, head 0');
});

test('the head mean averages the heads of one layer of one source', () => {
  // heads 0, 10, 20 average to 10
  close(attentionRow(tiny(), 1, 0, 'mean'), [1010, 1011, 1012, 1013, 1014], 'mean');
});

test('out-of-range source, layer and head are refused by name', () => {
  const ha = tiny();
  assert.throws(() => attentionRow(ha, 2, 0, 0), /source 2/);
  assert.throws(() => attentionRow(ha, 0, 2, 0), /layer 2 is outside 0..1/);
  assert.throws(() => attentionRow(ha, 0, 0, 3), /head 3 is outside 0..2/);
});

test('a row splits into image, question and only the latent steps before the source', () => {
  const ha = tiny();
  const row = attentionRow(ha, 0, 1, 1);
  const parts = splitRow(row, ha, ha.sources[0]);
  close(parts.image, [110, 111], 'image');
  close(parts.question, [112], 'question');
  // the source is latent step 2 at position 4: it sees latent step 1 (position 3), not itself
  close(parts.latents, [113], 'latents');
  assert.equal(splitRow(row, ha, ha.sources[1]).latents.length, 0, 'the last prompt token sees no latent step');
});

test('sources are listed prompt first, then latent steps, then answer tokens, and named in words', () => {
  const trace = syntheticTrace({ steps: 3, grid: 4, imageSize: 32, windowSize: 2, heads: 2 });
  const ha = trace.headAttention!;
  const labels = orderedSources(ha).map((i) => sourceLabel(ha.sources[i]));
  assert.deepEqual(labels, ['last prompt token', 'latent step 1', 'latent step 2', 'latent step 3', 'answer token 0', 'answer token 1']);
});

test('token alphas scale to the heaviest token; zero and negative weights are clear', () => {
  close(tokenAlphas(Float32Array.from([0.1, 0.4, 0, -0.2])), [0.25, 1, 0, 0], 'alphas');
  close(tokenAlphas(new Float32Array(3)), [0, 0, 0], 'all zero');
});

test('synthetic rows are causal and sum to 1 up to the source position', () => {
  const trace = syntheticTrace({ steps: 3, grid: 4, imageSize: 32, windowSize: 2, heads: 2 });
  const ha = trace.headAttention!;
  ha.sources.forEach((src, s) => {
    for (let l = 0; l < ha.layers; l++) for (let k = 0; k < ha.heads; k++) {
      const row = attentionRow(ha, s, l, k);
      const sum = row.subarray(0, src.position + 1).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-5, `sum ${sum}`);
      assert.ok(row.subarray(src.position + 1).every((v) => v === 0), 'nothing after the source');
    }
  });
});

test('head attention, lens, ground truth and warnings round-trip through the codec and pass the guard', () => {
  const trace = syntheticTrace({ steps: 3, grid: 4, imageSize: 32, windowSize: 2, heads: 2, lens: true, groundTruth: { expected: 'red' }, warnings: ['"describe" is outside the vocabulary'] });
  const back = decodeTrace(encodeTrace(trace));
  assertTrace(back);
  const ha = back.headAttention!;
  close(ha.rows, trace.headAttention!.rows, 'rows');
  const raw = JSON.parse(encodeTrace(trace));
  assert.deepEqual(raw.headAttention.rows.shape, [ha.sources.length, ha.layers, ha.heads, ha.positions]);
  assert.deepEqual(back.steps[0].lens, trace.steps[0].lens);
  assert.deepEqual(back.input.groundTruth, trace.input.groundTruth);
  assert.equal(back.input.groundTruth!.correct, true);
  assert.deepEqual(back.input.warnings, trace.input.warnings);
  assert.equal(back.lensKind, 'logit-lens');
});

test('the guard names a bad per-head field', () => {
  const base = () => syntheticTrace({ steps: 2, grid: 4, imageSize: 32, windowSize: 2, heads: 2 });
  const cases: [(t: ReturnType<typeof base>) => void, RegExp][] = [
    [(t) => (t.headAttention!.rows = new Float32Array(3)), /headAttention.rows: expected \d+ values, got 3/],
    [(t) => (t.headAttention!.layout.image.count = 5), /headAttention.layout.image.count: expected the grid's 16/],
    [(t) => (t.headAttention!.layout.question.tokens = ['x']), /headAttention.layout.question.tokens/],
    [(t) => (t.headAttention!.sources[0].position = 10_000), /headAttention.sources\[0\].position/],
    [(t) => (t.input.groundTruth = { bbox: [5, 5, 1, 1], source: 'dataset' }), /input.groundTruth.bbox/],
    [(t) => (t.steps[0].lens = [{ layer: 0, tokens: [], patches: [{ index: 99, cosine: 1 }] }]), /steps\[0\].lens\[0\].patches\[0\].index/],
  ];
  for (const [breakIt, re] of cases) {
    const t = base();
    breakIt(t);
    assert.throws(() => assertTrace(t), re);
  }
});

test('unrecorded sources are every position without rows, and the guard accepts their request', async () => {
  const { unrecordedSources, requestLabel } = await import('../../webview/head-attention');
  const { assertFromWebviewMessage } = await import('../../src/shared/protocol');
  const trace = syntheticTrace({ steps: 3, grid: 4, imageSize: 32, windowSize: 2, heads: 2, headSources: 3 });
  // recorded: last prompt token, answer tokens 0 and 1; missing: the three latent steps
  assert.deepEqual(unrecordedSources(trace).map(requestLabel), ['latent step 1', 'latent step 2', 'latent step 3']);
  const none = syntheticTrace({ steps: 2, grid: 4, imageSize: 32, windowSize: 2 });
  assert.deepEqual(unrecordedSources(none).map(requestLabel), ['last prompt token', 'latent step 1', 'latent step 2', 'answer token 0', 'answer token 1']);
  assertFromWebviewMessage({ type: 'recordAttention', requestId: 1, sources: unrecordedSources(trace) });
  assert.throws(() => assertFromWebviewMessage({ type: 'recordAttention', requestId: 1, sources: [{ kind: 'latent', index: 0 }] }), /message.sources\[0\].index/);
  assert.throws(() => assertFromWebviewMessage({ type: 'recordAttention', requestId: 1, sources: [] }), /message.sources/);
});
