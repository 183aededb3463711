import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { progressMessage, studyFolder } from '../../../src/vscode/studyProgress';
import type { StudyProgress } from '../../../src/studies';

const base: StudyProgress = { study: 'probe', label: 'probing experiment', phase: 'items', model: 'lare', pass: 0, passes: 2, item: 15, of: 300, resumed: 0, fraction: 0.02 };

test('item progress names the study, the model and the item; a resumed run says how many were done', () => {
  assert.equal(progressMessage(base), 'probing experiment, lare: item 15 of 300');
  assert.equal(progressMessage({ ...base, item: 130, resumed: 120 }), 'probing experiment, lare: item 130 of 300 (120 already done)');
});

test('after the items, the probes are fitting, then the report is written', () => {
  assert.equal(progressMessage({ ...base, phase: 'fitting probes', item: 0, of: 0, detail: 'pairs and projection' }), 'probing experiment: fitting probes (pairs and projection)');
  assert.equal(progressMessage({ ...base, phase: 'fitting probes', item: 4, of: 8, detail: 'model vision svm: 61.0%' }), 'probing experiment: fitting probes, 4 of 8 (model vision svm: 61.0%)');
  assert.equal(progressMessage({ ...base, phase: 'report' }), 'probing experiment: writing the report');
});

test('a study folder names study, models and dataset, is stable for one configuration and differs for another', () => {
  const results = path.resolve('/ws/.latent-trace');
  const a = studyFolder(results, 'steps', ['lare'], '/data/my set.jsonl', { maxSteps: 4 });
  assert.equal(a, studyFolder(results, 'steps', ['lare'], '/data/my set.jsonl', { maxSteps: 4 }));
  assert.notEqual(a, studyFolder(results, 'steps', ['lare'], '/data/my set.jsonl', { maxSteps: 6 }));
  assert.match(path.basename(a), /^steps-lare-my-set-[0-9a-f]{10}$/);
  assert.match(path.basename(studyFolder(results, 'probe', ['lare', 'lare no/x'], '/d/s.parquet', {})), /^probe-lare\+lare-no-x-s-[0-9a-f]{10}$/);
  assert.equal(path.dirname(a), path.join(results, 'reports'));
});
