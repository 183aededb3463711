import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateManifest } from '../../src/runtime/manifest-schema';
import { sampleManifest } from './manifest-fixture';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const FILE = 'models/x/latent-trace.json';

function withField(path: string, value: unknown): unknown {
  const m = JSON.parse(JSON.stringify(sampleManifest()));
  const keys = path.split('.');
  let o = m;
  for (const k of keys.slice(0, -1)) o = o[k];
  if (value === undefined) delete o[keys[keys.length - 1]];
  else o[keys[keys.length - 1]] = value;
  return m;
}

test('a valid manifest passes', () => {
  assert.equal(validateManifest(sampleManifest(), FILE).name, 'lare-test');
});

test('a wrong field type names the file, the field and the value', () => {
  assert.throws(() => validateManifest(withField('image.grid.rows', '8'), FILE), {
    name: 'BundleError',
    message: 'models/x/latent-trace.json: field "image.grid.rows" must be a positive integer, got "8"',
  });
});

test('missing and invalid fields each get a specific message', () => {
  const cases: [string, unknown, RegExp][] = [
    ['method', 'coconut', /field "method" must be one of "lare", "lvr", "direct", got "coconut"/],
    ['hash', 'md5:00', /field "hash" must be "sha256:"/],
    ['graphs.decoder', undefined, /field "graphs.decoder" must be a non-empty string, got nothing \(the field is missing\)/],
    ['image.std', [1, 0, 1], /field "image.std\[1\]" must be a positive number, got 0/],
    ['model.visualTokens', 63, /must equal image.grid.rows\*cols = 64/],
    ['saliency.layers', [0, 5], /field "saliency.layers\[1\]" must be <= 1/],
    ['window.size', 9, /must fit the 8x8 grid/],
    ['prompt.template', ['{image}', '{question}'], /must end with tokenizer.special.latentStart/],
    ['reconstruction.samplerSteps', 1000, /must be <= reconstruction.schedule.steps/],
    ['defaults.maxLatentSteps', 2, /must be >= defaults.latentSteps/],
    ['extractor', undefined, /must be an object or null/],
  ];
  for (const [path, value, re] of cases) assert.throws(() => validateManifest(withField(path, value), FILE), re, path);
});

test('an Extractor-less LaRe bundle (extractor: null) is valid', () => {
  const m = withField('extractor', null) as ReturnType<typeof sampleManifest>;
  delete m.graphs.extractor;
  assert.equal(validateManifest(m, FILE).extractor, null);
});

test('non-objects are rejected', () => {
  assert.throws(() => validateManifest([], FILE), /field "\(root\)" must be an object/);
});

test('the optional roles ablationOf and baselineFor are checked by type, naming the field', () => {
  const raw = JSON.parse(readFileSync(join(__dirname, '..', '..', 'models', 'lare-shapes-noextractor', 'latent-trace.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(validateManifest(raw, 'x.json').ablationOf, 'lare-shapes');
  assert.throws(() => validateManifest({ ...raw, ablationOf: 3 }, 'x.json'), /ablationOf/);
  assert.throws(() => validateManifest({ ...raw, baselineFor: [] }, 'x.json'), /baselineFor/);
  assert.deepEqual(validateManifest({ ...raw, baselineFor: ['a'] }, 'x.json').baselineFor, ['a']);
});

test('the optional model.coarsePool (fine-split bundles) must be an integer of at least 2, naming the field', () => {
  const raw = JSON.parse(readFileSync(join(__dirname, '..', '..', 'models', 'lare-shapes', 'latent-trace.json'), 'utf8')) as { model: Record<string, unknown> };
  assert.doesNotThrow(() => validateManifest({ ...raw, model: { ...raw.model, coarsePool: 4 } }, 'x.json'));
  assert.throws(() => validateManifest({ ...raw, model: { ...raw.model, coarsePool: 1 } }, 'x.json'), /model\.coarsePool/);
  assert.throws(() => validateManifest({ ...raw, model: { ...raw.model, coarsePool: '4' } }, 'x.json'), /model\.coarsePool/);
});
