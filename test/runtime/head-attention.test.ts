import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openEngine, type TraceEngine } from '../../src/runtime/engine';
import { topK } from '../../src/runtime/head-replay';
import { decodeTrace, encodeTrace } from '../../src/shared/trace-codec';
import { CONTRACT_BUNDLE, squareImage } from './contract-bundle';

const image = 'media/samples/images/0000.png';
const question = 'what color is the square?';
let engine: TraceEngine;
before(async () => {
  engine = await openEngine('models/lare-shapes');
});
after(async () => engine.dispose());

test('chosen sources: prompt-last, a latent step and a later answer token, with the layout of the sequence', async () => {
  const t = await engine.trace({ image, question, settings: { maxAnswerTokens: 3 }, headAttention: { sources: [{ kind: 'prompt-last' }, { kind: 'latent', index: 2 }, { kind: 'answer', index: 0 }] } });
  const ha = t.headAttention!;
  const m = engine.manifest;
  const P = t.tokens.prompt;
  const T = t.steps.length;
  assert.deepEqual(ha.sources, [{ kind: 'prompt-last', index: 0, position: P - 1 }, { kind: 'latent', index: 2, position: P + 1 }, { kind: 'answer', index: 0, position: P + T }]);
  assert.equal(ha.layers, m.model.layers);
  assert.equal(ha.heads, m.model.heads);
  assert.equal(ha.layout.image.count, 64);
  assert.deepEqual(ha.layout.question.tokens, ['what', 'color', 'is', 'the', 'square', '?']);
  assert.equal(ha.layout.question.offset, 1);
  assert.deepEqual(ha.layout.latents, { offset: P, count: T });
  assert.equal(ha.positions, P + T + 1 + ha.layout.answer.count);
  assert.equal(ha.rows.length, 3 * ha.layers * ha.heads * ha.positions);
  // every head's row is a softmax over the positions up to its source, and zero beyond
  ha.sources.forEach((s, k) => {
    for (let lh = 0; lh < ha.layers * ha.heads; lh++) {
      const row = ha.rows.subarray((k * ha.layers * ha.heads + lh) * ha.positions, (k * ha.layers * ha.heads + lh + 1) * ha.positions);
      const sum = row.subarray(0, s.position + 1).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-5, `source ${k} row ${lh} sums to ${sum}`);
      assert.ok(row.subarray(s.position + 1).every((v) => v === 0));
    }
  });
  // on disk the rows are one more float32 tensor
  const back = decodeTrace(encodeTrace(t));
  assert.deepEqual(back.headAttention?.rows, ha.rows);
  await assert.rejects(engine.trace({ image, question, headAttention: { sources: [{ kind: 'latent', index: 9 }] } }), /latent source 9 does not exist; the run has latent steps 1\.\.3/);
});

test('a bundle without attention_heads or a lens graph says so when asked', async () => {
  const plain = await openEngine(CONTRACT_BUNDLE);
  try {
    assert.deepEqual(plain.capabilities, { headAttention: false, lens: false });
    const img = await squareImage();
    await assert.rejects(plain.trace({ image: img, question, headAttention: true }), /has no "attention_heads" output/);
    await assert.rejects(plain.trace({ image: img, question, lens: true }), /has no lens graph \(graphs\.lens\)/);
  } finally {
    await plain.dispose();
  }
  assert.deepEqual(engine.capabilities, { headAttention: true, lens: true });
});

test('topK: largest first, ties by lower index, at most the length', () => {
  assert.deepEqual(topK([0.1, 0.5, 0.5, 0.2], 3), [1, 2, 3]);
  assert.deepEqual(topK([1, 2], 5), [1, 0]);
});
