// Which second model a study may take, on the bundled manifests: LVR, the baseline, LaRe itself and
// an ablation of another model are refused as LaRe's Table 6 ablation, each with its reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readManifest } from '../../src/runtime/bundle';
import { isAblationOf, pairingProblem, probingPairing, roleLabel } from '../../src/studies/pairing';

const MODELS = join(__dirname, '..', '..', 'models');
const load = (name: string) => readManifest(join(MODELS, name));

test('the no-Extractor bundle is LaRe\'s declared ablation and is accepted', async () => {
  const [lare, ablation] = await Promise.all([load('lare-shapes'), load('lare-shapes-noextractor')]);
  assert.equal(ablation.ablationOf, 'lare-shapes');
  assert.equal(isAblationOf(ablation, lare), true);
  assert.equal(pairingProblem('probe', lare, ablation), undefined);
  assert.equal(probingPairing(ablation), 'ablation');
  assert.equal(roleLabel(ablation), 'lare-shapes without its Extractor');
});

test('LVR, the baseline and LaRe itself are refused as the ablation, with the reason', async () => {
  const [lare, lvr, direct] = await Promise.all([load('lare-shapes'), load('lvr-shapes'), load('direct-shapes')]);
  assert.match(pairingProblem('probe', lare, lvr) ?? '', /^lvr-shapes is an lvr model, not lare-shapes without its Extractor/);
  assert.match(pairingProblem('probe', lare, direct) ?? '', /^direct-shapes is an direct model/);
  assert.match(pairingProblem('probe', lare, lare) ?? '', /cannot be compared with itself/);
  assert.equal(isAblationOf(lvr, lare), false);
  assert.equal(isAblationOf(lare, lare), false);
});

test('another LaRe model with an Extractor is accepted as a peer, named by model; LVR still is not', async () => {
  const [lare, lvr] = await Promise.all([load('lare-shapes'), load('lvr-shapes')]);
  const peer = { ...lare, name: 'lare-shapes-seed2', hash: `sha256:${'2'.repeat(64)}` };
  assert.equal(pairingProblem('probe', lare, peer), undefined);
  assert.equal(pairingProblem('probe', peer, lare), undefined);
  assert.equal(probingPairing(peer), 'peer');
  assert.equal(isAblationOf(peer, lare), false, 'a peer is not preselected as the ablation');
  assert.match(pairingProblem('probe', peer, { ...peer }) ?? '', /cannot be compared with itself/);
  assert.match(pairingProblem('probe', peer, lvr) ?? '', /^lvr-shapes is an lvr model, not lare-shapes-seed2 without its Extractor/);
});

test('an ablation declared for another model is refused; the baseline is fine for attention, itself is not', async () => {
  const [lare, ablation, direct] = await Promise.all([load('lare-shapes'), load('lare-shapes-noextractor'), load('direct-shapes')]);
  const other = { ...lare, name: 'lare-other', hash: `sha256:${'1'.repeat(64)}` };
  assert.match(pairingProblem('probe', other, ablation) ?? '', /is the ablation of lare-shapes, not of lare-other/);
  assert.equal(pairingProblem('attention', lare, direct), undefined);
  assert.deepEqual(direct.baselineFor, ['lare-shapes', 'lvr-shapes']);
  assert.match(pairingProblem('attention', lare, lare) ?? '', /cannot be compared with itself/);
});

test('the study itself refuses the pair before any item runs (the CLI path too)', async () => {
  const { runStudy } = await import('../../src/studies');
  const { mkdtempSync, existsSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const out = mkdtempSync(join(tmpdir(), 'lt-pair-'));
  const dataset = join(__dirname, '..', '..', 'media', 'samples', 'samples.jsonl');
  await assert.rejects(
    runStudy('probe', { dataset, modelDir: join(MODELS, 'lare-shapes'), ablationDir: join(MODELS, 'lvr-shapes'), out, workers: 0 }),
    (err: Error) => err.name === 'InputError' && /--ablation .*lvr-shapes: lvr-shapes is an lvr model/.test(err.message),
  );
  await assert.rejects(
    runStudy('attention', { dataset, modelDir: join(MODELS, 'lare-shapes'), baselineDir: join(MODELS, 'lare-shapes'), out, workers: 0 }),
    /--baseline .*cannot be compared with itself/,
  );
  assert.equal(existsSync(join(out, 'results')), false);
  rmSync(out, { recursive: true, force: true });
});
