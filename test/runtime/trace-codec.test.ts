import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base64ToBytes, bytesToBase64, decodeTrace, encodeTrace, float32ToBase64 } from '../../src/shared/trace-codec';
import type { Trace } from '../../src/shared/trace';
import { createRandom } from '../../src/analysis/random';

function sampleTrace(): Trace {
  const rng = createRandom(7);
  const steps = [1, 2].map((index) => ({
    index,
    saliency: rng.normals(16),
    window: { row: 1, col: 0, size: 2 },
    extractorAttention: rng.normals(2 * 4),
    latentToken: rng.normals(8),
    visualSimilarity: rng.normals(16),
    distance: index === 1 ? null : { cosine: 0.1, l1: 2.5, l2: 0.75 },
  }));
  return {
    format: 'latent-trace/trace',
    version: 1,
    model: { name: 'm', hash: `sha256:${'a'.repeat(64)}`, method: 'lare', hiddenSize: 8, layers: 2 },
    input: { question: 'what color is the circle?', imageName: 'x.png', imageWidth: 64, imageHeight: 64, imagePng: 'iVBORw0KGgo=', grid: { rows: 4, cols: 4 } },
    settings: { latentSteps: 2, maxLatentSteps: 4, stop: 'fixed', threshold: 0, maxAnswerTokens: 4, temperature: 0, topP: 1, seed: 0, intervention: { kind: 'replace-with-token', step: 1, token: rng.normals(8), sourceLabel: 'y.png step 1' } },
    steps,
    stoppedAt: 2,
    stopReason: 'fixed',
    answer: { text: 'red', tokenIds: [12], tokenProbs: [0.9] },
    tokens: { prompt: 20, latent: 2, answer: 1 },
    firstAnswerAttention: { perLayer: rng.normals(32), mean: rng.normals(16), total: 0.5 },
    visualTokens: rng.normals(16 * 8),
    reconstructions: { sampler: 'ddim', samplerSteps: 10, seed: 0, channels: 3, size: 4, pixels: rng.normals(2 * 3 * 16) },
    timingsMs: { total: 12.5 },
    createdAt: '2026-11-21T20:00:00.000Z',
  };
}

test('a trace round-trips bit for bit, tensors included', () => {
  const t = sampleTrace();
  t.steps[0].latentToken[0] = -0;
  t.steps[0].latentToken[1] = Infinity;
  t.steps[0].latentToken[2] = 1e-40; // subnormal
  const back = decodeTrace(encodeTrace(t));
  assert.deepEqual(back, t);
  assert.ok(Object.is(back.steps[0].latentToken[0], -0));
});

test('tensors are written with their shapes', () => {
  const json = JSON.parse(encodeTrace(sampleTrace()));
  assert.deepEqual(json.steps[0].saliency.shape, [4, 4]);
  assert.deepEqual(json.steps[0].extractorAttention.shape, [2, 2, 2]);
  assert.deepEqual(json.firstAnswerAttention.perLayer.shape, [2, 4, 4]);
  assert.deepEqual(json.reconstructions.pixels.shape, [2, 3, 4, 4]);
  assert.deepEqual(json.visualTokens.shape, [16, 8]);
  assert.equal(json.steps[0].saliency.dtype, 'float32');
});

test('base64 matches Node for every tail length and float32 is little-endian', () => {
  for (let n = 0; n < 40; n++) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 255);
    const b64 = bytesToBase64(bytes);
    assert.equal(b64, Buffer.from(bytes).toString('base64'));
    assert.deepEqual(base64ToBytes(b64), bytes);
  }
  assert.equal(float32ToBase64(Float32Array.from([1])), Buffer.from([0, 0, 0x80, 0x3f]).toString('base64'));
});

test('malformed trace files fail with the field named', () => {
  const good = JSON.parse(encodeTrace(sampleTrace()));
  assert.throws(() => decodeTrace('{'), /not valid JSON/);
  assert.throws(() => decodeTrace(JSON.stringify({ ...good, format: 'x' })), /field "format"/);
  const badShape = structuredClone(good);
  badShape.steps[1].saliency.shape = [5, 4];
  assert.throws(() => decodeTrace(JSON.stringify(badShape)), /steps\.1\.saliency: shape \[5,4\] needs 20 values, data has 16/);
  const badData = structuredClone(good);
  badData.steps[0].latentToken.data = '@@@@';
  assert.throws(() => decodeTrace(JSON.stringify(badData)), /steps\.0\.latentToken: invalid base64/);
  const missing = structuredClone(good);
  delete missing.steps[0].saliency;
  assert.throws(() => decodeTrace(JSON.stringify(missing)), /steps\.0\.saliency" must be a float32 tensor/);
});
