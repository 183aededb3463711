import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { formatParameters, modelDescription, modelSize, type ManifestFacts } from '../../../src/vscode/modelSummary';

test('a version 1 bundle: method, version and size, no family', () => {
  const m = JSON.parse(readFileSync('models/lare-shapes/latent-trace.json', 'utf8')) as ManifestFacts;
  assert.equal(modelDescription(m), `lare ${m.version}`);
  assert.match(modelSize(m), new RegExp(`^width ${m.model.hiddenSize} · ${m.model.layers} layers · ${m.model.heads} heads · ${formatParameters(m.provenance!.parameters!)} parameters$`));
  assert.equal(formatParameters(m.provenance!.parameters!), '2.04 M');
});

test('a version 2 Qwen2.5-VL bundle: family, grouped-query heads, parameters and precision', () => {
  const m: ManifestFacts = {
    method: 'lvr', version: '1.0.0', family: 'qwen2_5_vl',
    model: { hiddenSize: 896, layers: 24, heads: 14, kvHeads: 2, dtype: 'float16' },
    provenance: { parameters: 494_032_768 },
  };
  assert.equal(modelDescription(m), 'Qwen2.5-VL · lvr 1.0.0');
  assert.equal(modelSize(m), 'width 896 · 24 layers · 14 heads (2 KV) · 494 M parameters · fp16');
  assert.equal(modelDescription({ ...m, family: 'llava', method: 'lare' }), 'LLaVA · lare 1.0.0');
  assert.equal(modelSize({ ...m, model: { hiddenSize: 3584, layers: 28, heads: 28, kvHeads: 28, dtype: 'float32' }, provenance: {} }),
    'width 3584 · 28 layers · 28 heads · fp32');
});

test('parameter counts read as people say them', () => {
  assert.equal(formatParameters(1_934_592), '1.93 M');
  assert.equal(formatParameters(7_615_616_512), '7.62 B');
  assert.equal(formatParameters(12_500), '12.5 k');
  assert.equal(formatParameters(0), '—');
});
