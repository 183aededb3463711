import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileLabel, shownStatus } from '../../webview/shown-file';

test('the status line names the file the panel shows', () => {
  assert.equal(fileLabel('file:///ws/.latent-trace/traces/lare-shapes_0003_what%20colour_20261203T140110Z.ltrace.json'), 'lare-shapes_0003_what colour_20261203T140110Z.ltrace.json');
  assert.equal(fileLabel('C:\\data\\x.report.json'), 'x.report.json');
  assert.equal(fileLabel('file:///a/b%ZZ.json'), 'b%ZZ.json');
  assert.equal(shownStatus(['file:///a/one.ltrace.json']), 'Showing one.ltrace.json');
  assert.equal(shownStatus(['file:///a/one.ltrace.json', '/b/two.ltrace.json']), 'Comparing one.ltrace.json with two.ltrace.json');
  assert.equal(shownStatus([]), '');
});
