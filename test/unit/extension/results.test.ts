import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isStudyOutput, resultFileName, resultsFolder, traceFileName } from '../../../src/vscode/results';

test('results folder: absolute as is, relative to the first workspace folder, else to the storage folder', () => {
  assert.equal(resultsFolder(path.resolve('/data/out'), ['/ws'], '/store'), path.resolve('/data/out'));
  assert.equal(resultsFolder('.latent-trace', [path.resolve('/ws'), '/b'], '/store'), path.resolve('/ws/.latent-trace'));
  assert.equal(resultsFolder('.latent-trace', [], path.resolve('/store')), path.resolve('/store/.latent-trace'));
});

test('result file names drop the extension and unsafe characters and carry a UTC stamp', () => {
  const when = new Date(Date.UTC(2026, 10, 21, 20, 5, 9, 123));
  assert.equal(resultFileName('my image (1).png', '.ltrace.json', when), 'my-image-1-20261121T200509Z.ltrace.json');
  assert.equal(resultFileName('???', '.report.json', when), 'result-20261121T200509Z.report.json');
});

test('the dataset pickers leave out what the studies wrote: the results folder and any results file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lt-picker-'));
  const results = path.join(dir, '.latent-trace');
  const own = path.join(results, 'reports', 'probe-lare-samples-0123456789', 'results', 'probe-lare.jsonl');
  mkdirSync(path.dirname(own), { recursive: true });
  writeFileSync(own, '{"format":"latent-trace/results","version":1}\n');
  const elsewhere = path.join(dir, 'cli-out', 'results', 'steps-lare.jsonl');
  mkdirSync(path.dirname(elsewhere), { recursive: true });
  writeFileSync(elsewhere, '{"format":"latent-trace/results","version":1,"task":"steps"}\n{"index":0}\n');
  const user = path.join(dir, 'data', 'questions.jsonl');
  mkdirSync(path.dirname(user), { recursive: true });
  writeFileSync(user, '{"image":"a.png","question":"what colour?","answer":"red"}\n');
  const parquet = path.join(dir, 'data', 'set.parquet');
  writeFileSync(parquet, 'PAR1');
  assert.equal(isStudyOutput(own, results), true);
  assert.equal(isStudyOutput(elsewhere, results), true);
  assert.equal(isStudyOutput(user, results), false);
  assert.equal(isStudyOutput(parquet, results), false);
  assert.equal(isStudyOutput(path.join(dir, 'missing.jsonl'), results), false);
  rmSync(dir, { recursive: true, force: true });
});

test('trace file names say model, image and question, then the UTC stamp', () => {
  const when = new Date(Date.UTC(2026, 10, 21, 20, 5, 9, 123));
  assert.equal(traceFileName('lare-shapes', '0003.png', 'What colour is the square?', when), 'lare-shapes_0003_what-colour-is-the-square_20261121T200509Z.ltrace.json');
  assert.notEqual(traceFileName('lvr-shapes', '0003.png', 'What colour is the square?', when), traceFileName('lare-shapes', '0003.png', 'What colour is the square?', when));
  assert.equal(traceFileName('m', 'a.png', 'x'.repeat(200), when).length, 'm_a_'.length + 48 + '_20261121T200509Z.ltrace.json'.length);
  assert.equal(traceFileName('???', '...', '?', when), 'trace_20261121T200509Z.ltrace.json');
});
