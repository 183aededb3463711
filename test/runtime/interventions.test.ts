import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openEngine, type TraceEngine } from '../../src/runtime/engine';
import { directionBetween, interveneOnToken, replaceFromTrace, runIntervention } from '../../src/runtime/interventions';
import { decodeTrace, encodeTrace } from '../../src/shared/trace-codec';
import { CONTRACT_BUNDLE, squareImage } from './contract-bundle';

let engine: TraceEngine;
let image: Buffer;
let other: Buffer;
const question = 'what color is the square?';

before(async () => {
  engine = await openEngine(CONTRACT_BUNDLE);
  image = await squareImage();
  other = await squareImage(20, 4);
});
after(async () => engine.dispose());

test('add-direction feeds produced + alpha * direction and refuses a direction of another width', () => {
  const produced = Float32Array.from([1, 2, 3]);
  const out = interveneOnToken(2, produced, [], { kind: 'add-direction', step: 2, direction: Float32Array.from([1, -1, 0.5]), alpha: 2, sourceLabel: 'd' });
  assert.deepEqual(Array.from(out), [3, 0, 4]);
  assert.equal(interveneOnToken(1, produced, [], { kind: 'add-direction', step: 2, direction: new Float32Array(3), alpha: 2, sourceLabel: 'd' }), produced);
  assert.throws(() => interveneOnToken(2, produced, [], { kind: 'add-direction', step: 2, direction: new Float32Array(4), alpha: 1, sourceLabel: 'd' }), /direction has 4 values/);
});

test('the same step of a saved trace replaces the step; a missing step is named', async () => {
  const saved = decodeTrace(encodeTrace(await engine.trace({ image: other, imageName: 'other.png', question })));
  const spec = replaceFromTrace(saved, 2);
  assert.equal(spec.kind, 'replace-with-token');
  const r = await runIntervention(engine, { image, question }, spec);
  assert.deepEqual(r.intervened.steps[1].latentToken, saved.steps[1].latentToken);
  assert.equal(r.intervened.settings.intervention?.kind, 'replace-with-token');
  assert.throws(() => replaceFromTrace(saved, 2, 9), /trace "other.png" has 4 latent steps; step 9 does not exist/);
});

test('a scaled direction between two traces moves the step by alpha * (a - b); alpha 0 changes nothing', async () => {
  const a = await engine.trace({ image: other, imageName: 'a.png', question });
  const b = await engine.trace({ image, imageName: 'b.png', question });
  const base = await engine.trace({ image, question });
  const spec = directionBetween({ trace: a, step: 1 }, { trace: b, step: 1 }, 1, 0.5);
  const r = await runIntervention(engine, { image, question }, spec, base);
  const fed = r.intervened.steps[0].latentToken;
  fed.forEach((v, d) => assert.ok(Math.abs(v - (base.steps[0].latentToken[d] + 0.5 * (a.steps[0].latentToken[d] - b.steps[0].latentToken[d]))) < 1e-5, `dim ${d}`));
  const still = await runIntervention(engine, { image, question }, directionBetween({ trace: a, step: 1 }, { trace: b, step: 1 }, 1, 0), base);
  assert.ok(Math.abs(still.result.logProbChange) < 1e-9);
  assert.throws(() => directionBetween({ trace: a, step: 1 }, { trace: b, step: 1 }, 1, Infinity), /alpha must be a finite number/);
});

test('the result has the shared shape: answers, spec, trace, and the first token log-probability change', async () => {
  const base = await engine.trace({ image, question });
  const r = await runIntervention(engine, { image, question }, { kind: 'zero', step: 2 }, base);
  const res = r.result;
  assert.deepEqual(res.spec, { kind: 'zero', step: 2 });
  assert.deepEqual(res.baseline, { text: base.answer.text, tokenIds: base.answer.tokenIds });
  assert.deepEqual(res.answer, { text: r.intervened.answer.text, tokenIds: r.intervened.answer.tokenIds });
  assert.equal(res.trace, r.intervened);
  // recomputed independently: teacher-force the baseline answer under the same intervention
  const forced = await engine.scoreAnswer({ image, question, settings: { stop: 'fixed', latentSteps: base.stoppedAt, intervention: { kind: 'zero', step: 2 } } }, base.answer.tokenIds);
  const want = Math.log(forced.forcedProbs[0]) - Math.log(base.answer.tokenProbs[0]);
  assert.ok(Math.abs(res.logProbChange - want) < 1e-12);
  assert.ok(res.logProbChange !== 0, 'zeroing a step of the contract bundle moves the first token probability');
});
