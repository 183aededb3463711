import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { resultFileName, resultsFolder } from '../../../src/vscode/results';

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
