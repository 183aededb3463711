/** The integer settings are capped to the ranges package.json declares, and a workspace cannot set them in Restricted Mode. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INTEGER_SETTINGS, integerSetting } from '../../../src/vscode/settingsModel';

const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
const schema = pkg.contributes.configuration.properties as Record<string, { minimum: number; maximum: number; default: number }>;

test('the ranges are the ones package.json declares', () => {
  for (const [key, range] of Object.entries(INTEGER_SETTINGS)) {
    const declared = schema[`latentTrace.${key}`];
    assert.deepEqual([range.min, range.max, range.fallback], [declared.minimum, declared.maximum, declared.default], key);
  }
});

test('a value past the maximum is capped, below the minimum raised, a non-number the default', () => {
  assert.equal(integerSetting('threads', 100_000), 64);
  assert.equal(integerSetting('threads', 1e300), 64);
  assert.equal(integerSetting('threads', 0), 1);
  assert.equal(integerSetting('threads', 3.7), 3);
  assert.equal(integerSetting('threads', '8'), 1);
  assert.equal(integerSetting('threads', Number.POSITIVE_INFINITY), 1);
  assert.equal(integerSetting('probing.pairs', 10_000_000), 100_000);
  assert.equal(integerSetting('probing.pairs', 4), 20);
  assert.equal(integerSetting('probing.bootstrap', 1e9), 100_000);
});

test('Restricted Mode ignores the workspace for threads and the probing sizes', () => {
  const restricted: string[] = pkg.capabilities.untrustedWorkspaces.restrictedConfigurations;
  for (const key of ['latentTrace.threads', 'latentTrace.probing.pairs', 'latentTrace.probing.bootstrap', 'latentTrace.modelPath']) {
    assert.ok(restricted.includes(key), key);
  }
});
