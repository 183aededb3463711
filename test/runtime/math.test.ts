import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cosineSimilarity, stepDistance } from '../../src/analysis/distance';
import { meanRows, similarityToEach } from '../../src/runtime/vector-math';
import { argmax, chooseToken, softmax } from '../../src/runtime/sampling';
import { createRandom } from '../../src/analysis/random';
import { resolveSettings } from '../../src/runtime/settings';
import { stopAfter } from '../../src/runtime/loop-parts';
import { sampleManifest } from './manifest-fixture';

const close = (a: number, b: number, atol = 1e-12, rtol = 1e-9) => assert.ok(Math.abs(a - b) <= atol + rtol * Math.abs(b), `${a} vs ${b}`);

test('distances between consecutive latent tokens: cosine distance, L1, L2', () => {
  const a = Float32Array.from([1, 0, 0]);
  const b = Float32Array.from([0, 2, 0]);
  const d = stepDistance(b, a);
  close(d.cosine, 1);
  close(d.l1, 3);
  close(d.l2, Math.sqrt(5));
  const same = stepDistance(a, Float32Array.from([2, 0, 0]));
  close(same.cosine, 0);
});

test('a zero vector has cosine similarity 0 (zeroed intervention steps)', () => {
  assert.equal(cosineSimilarity(new Float32Array(3), Float32Array.from([1, 2, 3])), 0);
  assert.throws(() => stepDistance(new Float32Array(2), new Float32Array(3)), /differ in size/);
});

test('similarity to each visual token and row means', () => {
  const tokens = Float32Array.from([1, 0, 0, 1, -1, 0]);
  const s = similarityToEach(Float32Array.from([1, 0]), tokens, 3);
  assert.deepEqual(Array.from(s), [1, 0, -1]);
  assert.deepEqual(Array.from(meanRows(tokens, 3)), [0, 1 / 3].map(Math.fround));
});

test('softmax is stable and argmax takes the first maximum', () => {
  const p = softmax(Float32Array.from([1000, 1000, 0]));
  close(p[0], 0.5);
  close(p[2], 0);
  assert.equal(argmax([3, 7, 7, 1]), 1);
});

test('greedy decoding reports the model probability of the chosen token', () => {
  const rng = createRandom(1);
  const c = chooseToken(Float32Array.from([0, Math.log(3), 0]), 0, 3, { temperature: 0, topP: 1 }, rng);
  assert.equal(c.id, 1);
  close(c.prob, 0.6, 1e-7); // log(3) is stored as float32
});

test('top-p keeps only the nucleus; sampling is reproducible with a seed', () => {
  const logits = Float32Array.from([Math.log(0.7), Math.log(0.2), Math.log(0.1)]);
  const draws = (seed: number) => {
    const rng = createRandom(seed);
    return Array.from({ length: 200 }, () => chooseToken(logits, 0, 3, { temperature: 1, topP: 0.75 }, rng).id);
  };
  const a = draws(5);
  assert.deepEqual(a, draws(5));
  assert.ok(!a.includes(2), 'token outside the 0.75 nucleus was sampled');
  assert.ok(a.includes(0) && a.includes(1));
});

test('seeded normals have mean 0 and variance 1', () => {
  const x = createRandom(42).normals(20000);
  const mean = x.reduce((s, v) => s + v, 0) / x.length;
  const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length;
  assert.ok(Math.abs(mean) < 0.03, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 0.04, `variance ${variance}`);
});

test('settings: defaults, overrides and checks', () => {
  const m = sampleManifest();
  const s = resolveSettings(m, {});
  assert.equal(s.latentSteps, m.defaults.latentSteps);
  assert.equal(s.stop, 'fixed');
  assert.equal(resolveSettings(m, { stop: 'l2' }).threshold, m.defaults.thresholds.l2);
  assert.equal(resolveSettings(m, { latentSteps: 12 }).maxLatentSteps, 12);
  assert.throws(() => resolveSettings(m, { topP: 0 }), /top-p/);
  assert.throws(() => resolveSettings(m, { latentSteps: 0 }), /positive integer/);
  assert.throws(() => resolveSettings(m, { latentSteps: 9, maxLatentSteps: 3 }), /must not exceed/);
});

test('stopping: fixed T, adaptive threshold, cap', () => {
  const base = { latentSteps: 3, maxLatentSteps: 5, stop: 'fixed' as const, threshold: 0.1 };
  assert.equal(stopAfter(base, 2, null), null);
  assert.equal(stopAfter(base, 3, null), 'fixed');
  const adaptive = { ...base, stop: 'l2' as const };
  assert.equal(stopAfter(adaptive, 1, null), null);
  assert.equal(stopAfter(adaptive, 2, { cosine: 0, l1: 0, l2: 0.05 }), 'threshold');
  assert.equal(stopAfter(adaptive, 2, { cosine: 0, l1: 0, l2: 0.5 }), null);
  assert.equal(stopAfter(adaptive, 5, { cosine: 0, l1: 0, l2: 0.5 }), 'max-steps');
});
