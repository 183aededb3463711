import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BundleManifest } from '../../../src/shared/bundle';
import { reconstructionFrom, stepsStudyFrom, traceSettingsFrom, type ExtensionSettings } from '../../../src/vscode/settingsModel';

const defaults: ExtensionSettings = {
  modelPath: '',
  latentSteps: null,
  stopRule: 'bundle',
  thresholds: { cosine: null, l1: null, l2: null },
  reconstruction: { enabled: true, samplerSteps: null },
  executionProvider: 'cpu',
  threads: 1,
  resultsFolder: '.latent-trace',
  probing: { pairs: 1000, bootstrap: 2000 },
};

function manifest(method: BundleManifest['method'], stop: BundleManifest['defaults']['stop'], unet = true): BundleManifest {
  return {
    method,
    graphs: { vision: 'v.onnx', embed: 'e.onnx', decoder: 'd.onnx', ...(unet ? { unet: 'u.onnx' } : {}) },
    defaults: { latentSteps: 4, maxLatentSteps: 8, stop, thresholds: { cosine: 0.01, l1: 2, l2: 0.5 }, maxAnswerTokens: 8 },
  } as BundleManifest;
}

test('untouched settings keep every bundle default', () => {
  assert.deepEqual(traceSettingsFrom(defaults, manifest('lare', 'fixed')), {});
  assert.deepEqual(traceSettingsFrom(defaults, manifest('lare', 'cosine')), {});
});

test('fixed rule: latentSteps is T', () => {
  const s = { ...defaults, stopRule: 'fixed' as const, latentSteps: 6 };
  assert.deepEqual(traceSettingsFrom(s, manifest('lare', 'cosine')), { stop: 'fixed', latentSteps: 6 });
});

test('adaptive rule: latentSteps is the cap, the threshold falls back to the bundle default of that rule', () => {
  const s = { ...defaults, stopRule: 'l2' as const, latentSteps: 12 };
  assert.deepEqual(traceSettingsFrom(s, manifest('lare', 'fixed')), { stop: 'l2', maxLatentSteps: 12, threshold: 0.5 });
});

test('adaptive rule from the bundle with a user threshold', () => {
  const s = { ...defaults, thresholds: { cosine: 0.002, l1: null, l2: 9 } };
  assert.deepEqual(traceSettingsFrom(s, manifest('lare', 'cosine')), { threshold: 0.002 });
});

test('LVR and direct models only take the number of latent steps', () => {
  const s = { ...defaults, stopRule: 'cosine' as const, latentSteps: 3, thresholds: { cosine: 0.1, l1: null, l2: null } };
  assert.deepEqual(traceSettingsFrom(s, manifest('lvr', 'fixed')), { latentSteps: 3 });
  assert.deepEqual(traceSettingsFrom(defaults, manifest('direct', 'fixed')), {});
});

test('reconstruction: off without a U-Net or when disabled, sampler steps passed when set', () => {
  assert.equal(reconstructionFrom(defaults, manifest('lare', 'fixed', false)), false);
  assert.equal(reconstructionFrom({ ...defaults, reconstruction: { enabled: false, samplerSteps: 5 } }, manifest('lare', 'fixed')), false);
  assert.deepEqual(reconstructionFrom(defaults, manifest('lare', 'fixed')), {});
  assert.deepEqual(reconstructionFrom({ ...defaults, reconstruction: { enabled: true, samplerSteps: 5 } }, manifest('lare', 'fixed')), { samplerSteps: 5 });
});

test('steps study options: the cap and only the thresholds the user set', () => {
  assert.deepEqual(stepsStudyFrom(defaults), { thresholds: {} });
  assert.deepEqual(stepsStudyFrom({ ...defaults, latentSteps: 6, thresholds: { cosine: 0.01, l1: null, l2: 2 } }), { maxSteps: 6, thresholds: { cosine: 0.01, l2: 2 } });
});
