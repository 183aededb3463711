/** The probing protocol end to end on synthetic items whose latents do or do not carry their targets. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRandom, shuffleInPlace } from '../../src/analysis/random';
import { accuracy, svmProbe } from '../../src/analysis/probing/probes';
import { buildPairs } from '../../src/analysis/probing/pairs';
import { runProbing, type ProbingItem, type ProbingSource } from '../../src/analysis/probing/protocol';
import { meanMaxPool, bboxPatchMask } from '../../src/analysis/pooling';
import { lossAndGradient, trainContrastiveProjection } from '../../src/analysis/probing/contrastive';

function synthetic(images: number, questionsPerImage: number) {
  const random = createRandom(3);
  const items: ProbingItem[] = [];
  const questions = ['what color is the circle?', 'what shape is the red object?', 'how many squares are there?'];
  for (let img = 0; img < images; img++) {
    for (let q = 0; q < questionsPerImage; q++) {
      items.push({ image: `img${img}.png`, question: questions[(img + q) % questions.length], rationale: `r${img}-${q}`, bbox: [q, q, q + 8, q + 8] });
    }
  }
  const dim = 24;
  const vec = () => Float32Array.from({ length: dim }, () => random.normal());
  const vision = items.map(vec);
  const text = items.map(vec);
  const source = (signal: number): ProbingSource => ({
    latent: items.map((_, i) => Float32Array.from({ length: dim }, (_, d) => signal * (vision[i][d] + text[i][d]) + random.normal())),
    vision,
    text,
  });
  return { items, model: source(1.5), ablation: source(0.15) };
}

test('pairs: image-grouped split, stratified counts, no disguised positives', () => {
  const { items } = synthetic(60, 3);
  const keys = items.map((it) => ({ image: it.image, question: it.question, targetKey: it.rationale }));
  const set = buildPairs(keys, { total: 600, seed: 1 });
  assert.equal(set.counts.total, 600);
  assert.equal(set.counts.positive, 300);
  assert.deepEqual(set.counts.negative, { 'different-question-same-image': 100, 'different-image-same-question': 100, random: 100 });
  const trainImages = new Set(set.pairs.filter((p) => p.split === 'train').flatMap((p) => [items[p.latent].image, items[p.target].image]));
  const testImages = new Set(set.pairs.filter((p) => p.split === 'test').flatMap((p) => [items[p.latent].image, items[p.target].image]));
  assert.equal([...testImages].filter((i) => trainImages.has(i)).length, 0);
  for (const type of ['positive', 'different-question-same-image', 'different-image-same-question', 'random']) {
    const all = set.pairs.filter((p) => p.type === type);
    assert.equal(all.filter((p) => p.split === 'test').length, Math.round(all.length * 0.3), `${type} test share`);
  }
  for (const p of set.pairs) {
    const a = items[p.latent];
    const b = items[p.target];
    if (p.label === 0) assert.notEqual(a.rationale, b.rationale);
    if (p.type === 'different-question-same-image') assert.ok(a.image === b.image && a.question !== b.question);
    if (p.type === 'different-image-same-question') assert.ok(a.image !== b.image && a.question === b.question);
    if (p.type === 'random') assert.notEqual(a.image, b.image);
  }
  assert.deepEqual(buildPairs(keys, { total: 600, seed: 1 }), set);
});

test('pairs: one question per image falls back to random negatives and says so', () => {
  const { items } = synthetic(80, 1);
  const set = buildPairs(items.map((it) => ({ image: it.image, question: it.question, targetKey: it.rationale })), { total: 200, seed: 2 });
  assert.equal(set.counts.negative['different-question-same-image'], 0);
  assert.equal(set.counts.negative.random, 67);
});

test('pairs: too few images is a clear error', () => {
  assert.throws(() => buildPairs([{ image: 'a', question: 'q', targetKey: 'k' }], {}), /at least 4 distinct images/);
});

test('the model beats its ablation, random vectors and shuffled labels', () => {
  const { items, model, ablation } = synthetic(100, 3);
  const report = runProbing(
    { items, model, ablation, labels: { model: 'lare', ablation: 'no-extractor' }, createdAt: 'fixed' },
    { pairs: 500, projectionDim: 64, bootstrapResamples: 200, cGrid: [0.01, 0.1, 1], mlp: { hidden: 16 } },
  );
  assert.equal(report.cells.length, 12);
  const cell = (target: string, classifier: string, source: string) =>
    report.cells.find((c) => c.target === target && c.classifier === classifier && c.source === source)!;
  for (const target of ['vision', 'text']) {
    for (const classifier of ['svm', 'mlp']) {
      const m = cell(target, classifier, 'model');
      const a = cell(target, classifier, 'ablation');
      const r = cell(target, classifier, 'random');
      assert.ok(m.accuracy.value > 0.8, `${target}/${classifier} model ${m.accuracy.value}`);
      assert.ok(m.accuracy.value > a.accuracy.value + 0.1, `${target}/${classifier} model ${m.accuracy.value} vs ablation ${a.accuracy.value}`);
      assert.ok(Math.abs(r.accuracy.value - 0.5) < 0.12, `${target}/${classifier} random ${r.accuracy.value}`);
      // the mean over 5 shuffles: each one is a random classifier a few points either side of 50%
      assert.ok(Math.abs(m.control.value - 0.5) < 0.08, `${target}/${classifier} control ${m.control.value}`);
      const shuffles = m.controlShuffles!;
      assert.equal(shuffles.n, 5);
      assert.ok(Math.abs(m.control.value - shuffles.values.reduce((a, b) => a + b, 0) / 5) < 1e-12);
      if (classifier === 'mlp') {
        const inits = m.inits!;
        assert.equal(inits.n, 5);
        assert.equal(new Set(inits.values).size > 1, true, 'the initialisations differ');
        assert.ok(Math.abs(m.accuracy.value - inits.values.reduce((a, b) => a + b, 0) / 5) < 1e-12, 'accuracy is the mean over inits');
        assert.ok(inits.min <= m.accuracy.value && m.accuracy.value <= inits.max && inits.sd > 0);
      } else assert.equal(m.inits, undefined);
      assert.ok(m.selectivity > 0.2, `${target}/${classifier} selectivity ${m.selectivity}`);
      assert.ok(m.accuracy.low <= m.accuracy.value && m.accuracy.value <= m.accuracy.high);
      assert.ok(m.accuracy.high - m.accuracy.low < 0.2);
      assert.equal(m.selectivity, m.accuracy.value - m.control.value);
    }
  }
  assert.equal(report.pairs.total, 500);
  assert.equal(report.settings.projection, 'random');
  assert.deepEqual([report.settings.mlpInits, report.settings.controlShuffles], [5, 5]);
});

test('the shuffled-label control is centred on 50%: the SVM trained on complemented labels predicts the complement', () => {
  // balanced training labels make a permutation and its complement equally likely; the SVM (dual CD,
  // C chosen by CV) is symmetric in the labels, so their test accuracies sum to 1 and the control's mean is 50%
  const random = createRandom(5);
  const dim = 12;
  const n = 240;
  const xTrain = Float64Array.from({ length: n * dim }, () => random.normal());
  const xTest = Float64Array.from({ length: 100 * dim }, () => random.normal());
  const yTrain = Uint8Array.from({ length: n }, (_, i) => i % 2);
  const yTest = Uint8Array.from({ length: 100 }, (_, i) => (i % 2 ? 1 : 0));
  const folds = Int32Array.from({ length: n }, (_, i) => i % 5);
  const accuracies: number[] = [];
  for (let k = 0; k < 12; k++) {
    const shuffled = Uint8Array.from(yTrain);
    shuffleInPlace(shuffled, createRandom(100 + k));
    const fit = (y: Uint8Array) => svmProbe({ dim, xTrain, yTrain: y, folds, xTest }, { grid: [0.01, 1] }, createRandom(7)).predictions;
    const a = fit(shuffled);
    const b = fit(Uint8Array.from(shuffled, (y) => 1 - y));
    assert.ok(a.every((p, i) => p === 1 - b[i]), `shuffle ${k}: complemented labels give the complemented predictions`);
    accuracies.push(accuracy(a, yTest), accuracy(b, yTest));
  }
  const mean = accuracies.reduce((x, y) => x + y, 0) / accuracies.length;
  assert.ok(Math.abs(mean - 0.5) < 1e-12, `mean ${mean}`);
  // and one shuffle alone can sit far from 50%
  assert.ok(Math.max(...accuracies.map((x) => Math.abs(x - 0.5))) > 0.05);
});

test('probing settings: mlpInits and controlShuffles are bounded integers', () => {
  const { items, model } = synthetic(20, 2);
  assert.throws(() => runProbing({ items, model, labels: { model: 'm' } }, { mlpInits: 0 }), /mlpInits must be an integer in 1\.\.100/);
  assert.throws(() => runProbing({ items, model, labels: { model: 'm' } }, { controlShuffles: 2.5 }), /controlShuffles must be an integer/);
});

test('mean-max pooling and the bbox patch mask', () => {
  assert.deepEqual(Array.from(meanMaxPool([1, 5, 3, -1], 2, 2)), [2, 2, 3, 5]);
  assert.throws(() => meanMaxPool([1, 2, 3], 2, 2), /3 values is not 2 tokens of dimension 2/);
  const mask = bboxPatchMask([8, 0, 17, 8], 64, 64, 8, 8);
  assert.deepEqual([...mask.slice(0, 8)], [0, 1, 1, 0, 0, 0, 0, 0]);
  assert.equal(mask.reduce((a, b) => a + b, 0), 2);
});

test('contrastive projection: analytic gradient matches finite differences, and training lowers the loss', () => {
  const random = createRandom(9);
  const n = 5;
  const dz = 4;
  const dt = 3;
  const k = 3;
  const z = Float64Array.from({ length: n * dz }, () => random.normal());
  const t = Float64Array.from({ length: n * dt }, () => random.normal());
  const wz = Float64Array.from({ length: dz * k }, () => random.normal());
  const wt = Float64Array.from({ length: dt * k }, () => random.normal());
  const { gradZ, gradT } = lossAndGradient(z, t, n, wz, wt, k, 0.5);
  const h = 1e-6;
  for (const [w, grad] of [[wz, gradZ], [wt, gradT]] as const) {
    for (let i = 0; i < w.length; i++) {
      const keep = w[i];
      w[i] = keep + h;
      const up = lossAndGradient(z, t, n, wz, wt, k, 0.5).loss;
      w[i] = keep - h;
      const down = lossAndGradient(z, t, n, wz, wt, k, 0.5).loss;
      w[i] = keep;
      const numeric = (up - down) / (2 * h);
      assert.ok(Math.abs(numeric - grad[i]) <= 1e-6 + 1e-5 * Math.abs(numeric), `dW[${i}]: ${grad[i]} vs ${numeric}`);
    }
  }
  const trained = trainContrastiveProjection(z, t, n, { outputDim: k, steps: 50, learningRate: 1e-2 }, createRandom(1));
  assert.ok(trained.loss.last < trained.loss.first, `${trained.loss.last} < ${trained.loss.first}`);
});

test('the contrastive projection is an option of the protocol', () => {
  const { items, model } = synthetic(60, 3);
  const report = runProbing(
    { items, model, labels: { model: 'lare' }, createdAt: 'fixed' },
    { pairs: 300, projection: 'contrastive', projectionDim: 16, bootstrapResamples: 50, cGrid: [0.1], mlp: { hidden: 8, learningRate: 1e-2 }, randomBaseline: false, control: false },
  );
  assert.equal(report.settings.projection, 'contrastive');
  for (const cell of report.cells) assert.ok(cell.accuracy.value > 0.7, `${cell.target}/${cell.classifier} ${cell.accuracy.value}`);
});
