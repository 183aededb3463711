/** The version 2 graph contract: what each graph must declare, checked against the manifest. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkGraphIO, expectedIO, type GraphRole } from '../../src/runtime/graph-contract';
import type { GraphIO } from '../../src/runtime/onnx-graph-io';
import type { BundleManifest } from '../../src/shared/bundle';
import { sampleManifest, sampleManifestV2Lare, sampleManifestV2Lvr } from './manifest-fixture';

/** a graph that declares exactly what the contract expects, free axes named */
function conforming(role: GraphRole, m: BundleManifest): GraphIO {
  const want = expectedIO(role, m);
  const value = (e: { name: string; elemType: number; dims: (number | null)[] }) => ({ name: e.name, elemType: e.elemType, dims: e.dims.map((d, i) => d ?? `d${i}`) });
  return { inputs: want.inputs.map(value), outputs: want.outputs.map(value), externalData: [] };
}

function edit(io: GraphIO, kind: 'inputs' | 'outputs', name: string, change: (v: GraphIO['inputs'][number]) => void): GraphIO {
  const copy: GraphIO = JSON.parse(JSON.stringify(io));
  change(copy[kind].find((v) => v.name === name)!);
  return copy;
}

const shapes = (io: { inputs: { name: string; dims: (number | null)[] }[]; outputs: { name: string; dims: (number | null)[] }[] }) =>
  Object.fromEntries([...io.inputs, ...io.outputs].map((v) => [v.name, v.dims]));

test('decoder v2 (mrope, GQA): position_ids [3,1,S], KV [L,1,Hkv,P,Dh], newest-only logits and hidden_states', () => {
  const m = sampleManifestV2Lvr();
  const io = expectedIO('decoder', m);
  assert.deepEqual(io.inputs.map((v) => v.name).sort(), ['inputs_embeds', 'past_keys', 'past_values', 'position_ids']);
  assert.deepEqual(shapes(io), {
    inputs_embeds: [1, null, 64], past_keys: [2, 1, 2, null, 16], past_values: [2, 1, 2, null, 16], position_ids: [3, 1, null],
    logits: [1, 2000], last_hidden: [1, null, 64], hidden_states: [3, 1, 64], attention: [2, 1, null],
    present_keys: [2, 1, 2, null, 16], present_values: [2, 1, 2, null, 16],
  });
  assert.equal(io.inputs.find((v) => v.name === 'position_ids')!.elemType, 7);
  checkGraphIO('decoder', 'decoder.onnx', conforming('decoder', m), m);
  // a v1-style decoder (all positions' logits) does not satisfy v2
  assert.throws(() => checkGraphIO('decoder', 'decoder.onnx', edit(conforming('decoder', m), 'outputs', 'logits', (v) => { v.dims = [1, 'S', 2000]; }), m),
    /decoder.onnx: decoder output "logits" must have rank 2, found rank 3/);
  // KV heads come from model.kvHeads, not model.heads
  assert.throws(() => checkGraphIO('decoder', 'decoder.onnx', edit(conforming('decoder', m), 'inputs', 'past_keys', (v) => { v.dims = [2, 1, 4, 'P', 16]; }), m),
    /decoder input "past_keys" axis 2 must be 2 \(from the manifest\), found 4/);
  const withoutPositions = conforming('decoder', m);
  withoutPositions.inputs = withoutPositions.inputs.filter((v) => v.name !== 'position_ids');
  assert.throws(() => checkGraphIO('decoder', 'decoder.onnx', withoutPositions, m), /decoder graph inputs must be \[inputs_embeds, past_keys, past_values, position_ids\]/);
});

test('decoder v2 implied positions with a float16 KV cache', () => {
  const m = sampleManifestV2Lare();
  const io = expectedIO('decoder', m);
  assert.deepEqual(io.inputs.map((v) => v.name).sort(), ['inputs_embeds', 'past_keys', 'past_values']);
  for (const name of ['past_keys', 'past_values']) assert.equal(io.inputs.find((v) => v.name === name)!.elemType, 10, name);
  for (const name of ['present_keys', 'present_values']) assert.equal(io.outputs.find((v) => v.name === name)!.elemType, 10, name);
  // everything else stays float32
  assert.equal(io.inputs.find((v) => v.name === 'inputs_embeds')!.elemType, 1);
  assert.equal(io.outputs.find((v) => v.name === 'logits')!.elemType, 1);
  assert.throws(() => checkGraphIO('decoder', 'd.onnx', edit(conforming('decoder', m), 'inputs', 'past_keys', (v) => { v.elemType = 1; }), m),
    /d.onnx: decoder input "past_keys" must be float16, found float32/);
});

test('vision v2: fixed pixels [1,3,H,W]; dynamic pixel_values, rotary_pos_ids, window_index, window_seq_ids', () => {
  const fixed = sampleManifestV2Lare();
  assert.deepEqual(shapes(expectedIO('vision', fixed)), { pixels: [1, 3, 224, 224], visual_tokens: [1, 256, 64], local_features: [1, 256, null] });
  const dyn = sampleManifestV2Lvr();
  const io = expectedIO('vision', dyn);
  assert.deepEqual(shapes(io), {
    pixel_values: [null, 3 * 2 * 14 * 14], rotary_pos_ids: [null, 2], window_index: [null], window_seq_ids: [null],
    visual_tokens: [1, null, 64], local_features: [1, null, null],
  });
  for (const name of ['rotary_pos_ids', 'window_index', 'window_seq_ids']) assert.equal(io.inputs.find((v) => v.name === name)!.elemType, 7, name);
  checkGraphIO('vision', 'vision.onnx', conforming('vision', dyn), dyn);
  assert.throws(() => checkGraphIO('vision', 'vision.onnx', edit(conforming('vision', dyn), 'inputs', 'pixel_values', (v) => { v.dims = ['Np', 588]; }), dyn),
    /vision input "pixel_values" axis 1 must be 1176/);
  // a fixed-image graph is not a dynamic one
  assert.throws(() => checkGraphIO('vision', 'vision.onnx', conforming('vision', fixed), dyn), /vision graph inputs must be \[pixel_values, rotary_pos_ids, window_index, window_seq_ids\], found \[pixels\]/);
});

test('lvrHead: hidden [1,S,D] -> projected [1,S,D]; extractor windows read local features of any width in v2', () => {
  const m = sampleManifestV2Lvr();
  assert.deepEqual(shapes(expectedIO('lvrHead', m)), { hidden: [1, null, 64], projected: [1, null, 64] });
  checkGraphIO('lvrHead', 'lvr_head.onnx', conforming('lvrHead', m), m);
  assert.throws(() => checkGraphIO('lvrHead', 'lvr_head.onnx', edit(conforming('lvrHead', m), 'outputs', 'projected', (v) => { v.dims = [1, 'S', 32]; }), m),
    /lvrHead output "projected" axis 2 must be 64/);
  assert.deepEqual(expectedIO('extractor', sampleManifestV2Lare()).inputs.find((v) => v.name === 'window_features')!.dims, [1, 16, null]);
});

test('version 1 keeps its contract', () => {
  const m = sampleManifest();
  assert.deepEqual(shapes(expectedIO('decoder', m)), {
    inputs_embeds: [1, null, 16], past_keys: [2, 1, 2, null, 8], past_values: [2, 1, 2, null, 8],
    logits: [1, null, 40], last_hidden: [1, null, 16], hidden_states: [3, 1, null, 16], attention: [2, 1, null],
    present_keys: [2, 1, 2, null, 8], present_values: [2, 1, 2, null, 8],
  });
  assert.deepEqual(shapes(expectedIO('vision', m)), { pixels: [null, 3, 64, 64], visual_tokens: [null, 64, 16], local_features: [null, 64, 16] });
});
