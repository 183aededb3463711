/**
 * Probes against scikit-learn 1.2 on identical pair features (test/fixtures/probing/generate.py).
 * Tolerance (DESIGN.md): test accuracy within 1 point. The SVM is convex, so one fit is compared;
 * the MLP is not and its initialisation differs between implementations, so the mean over seeds is.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRandom } from '../../src/analysis/random';
import { accuracy, mlpProbe, svmProbe, type ProbeData } from '../../src/analysis/probing/probes';
import { selectC } from '../../src/analysis/probing/crossValidation';

interface ProbeCase {
  name: string;
  dim: number;
  xTrain: number[];
  yTrain: number[];
  folds: number[];
  xTest: number[];
  yTest: number[];
  svm: { accuracy: number; C: number; cvScores: number[] };
  mlp: { accuracies: number[]; meanAccuracy: number };
}

const fixture = JSON.parse(readFileSync(join(__dirname, '../fixtures/probing/cases.json'), 'utf8')) as { cCandidates: number[]; cases: ProbeCase[] };
const SEEDS = 20;

for (const c of fixture.cases) {
  const data: ProbeData = {
    dim: c.dim,
    xTrain: Float64Array.from(c.xTrain),
    yTrain: Uint8Array.from(c.yTrain),
    folds: Int32Array.from(c.folds),
    xTest: Float64Array.from(c.xTest),
  };
  const yTest = Uint8Array.from(c.yTest);
  assert.equal(data.xTrain.length, data.yTrain.length * c.dim, `${c.name}: train shape`);
  assert.equal(data.xTest.length, yTest.length * c.dim, `${c.name}: test shape`);

  test(`svm probe matches LinearSVC on ${c.name}`, () => {
    const cv = selectC(data.xTrain, data.yTrain, c.dim, data.folds, fixture.cCandidates, createRandom(1));
    // liblinear stops at max_iter=1000 before converging for large C, so only C <= 1 has a unique answer
    cv.scores.forEach((s, k) => {
      if (fixture.cCandidates[k] <= 1) assert.ok(Math.abs(s - c.svm.cvScores[k]) <= 0.01, `cv score C=${fixture.cCandidates[k]}: ${s} vs ${c.svm.cvScores[k]}`);
    });
    assert.equal(cv.C, c.svm.C, 'chosen C');
    const outcome = svmProbe(data, { grid: fixture.cCandidates }, createRandom(1));
    const acc = accuracy(outcome.predictions, yTest);
    assert.ok(Math.abs(acc - c.svm.accuracy) <= 0.01, `accuracy ${acc} vs sklearn ${c.svm.accuracy}`);
  });

  test(`mlp probe matches MLPClassifier on ${c.name} (mean over ${SEEDS} seeds)`, () => {
    let sum = 0;
    for (let seed = 0; seed < SEEDS; seed++) sum += accuracy(mlpProbe(data, { hidden: 64 }, createRandom(seed)).predictions, yTest);
    const mean = sum / SEEDS;
    assert.ok(Math.abs(mean - c.mlp.meanAccuracy) <= 0.01, `mean accuracy ${mean} vs sklearn ${c.mlp.meanAccuracy}`);
  });
}

test('mlp probe with the paper\'s loss-based early stopping trains at least as well', () => {
  const c = fixture.cases[0];
  const data: ProbeData = { dim: c.dim, xTrain: Float64Array.from(c.xTrain), yTrain: Uint8Array.from(c.yTrain), folds: Int32Array.from(c.folds), xTest: Float64Array.from(c.xTest) };
  let sum = 0;
  for (let seed = 0; seed < 5; seed++) sum += accuracy(mlpProbe(data, { hidden: 64, earlyStopping: 'loss' }, createRandom(seed)).predictions, Uint8Array.from(c.yTest));
  assert.ok(sum / 5 >= c.mlp.meanAccuracy - 0.01, `loss-based ${sum / 5} vs sklearn ${c.mlp.meanAccuracy}`);
});
