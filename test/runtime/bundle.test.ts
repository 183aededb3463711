import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadBundle, validateBundle } from '../../src/runtime/bundle';
import { readGraphIO } from '../../src/runtime/onnx-graph-io';
import { openEngine } from '../../src/runtime/engine';
import { isOrtLoaded } from '../../src/runtime/onnx';
import { CONTRACT_BUNDLE, bundleVariant, removeVariants, squareImage } from './contract-bundle';

after(removeVariants);

test('the contract bundle validates, hash included, without loading onnxruntime', async () => {
  const b = await validateBundle(CONTRACT_BUNDLE);
  assert.equal(b.manifest.name, 'contract-test');
  assert.equal(isOrtLoaded(), false);
  assert.equal(Object.keys(require.cache).some((k) => k.includes('onnxruntime-node')), false);
  assert.ok(b.graphPaths.decoder?.endsWith('decoder.onnx'));
});

test('graph inputs, outputs, types and ranks are read from the ONNX bytes', async () => {
  const io = readGraphIO(await readFile(join(CONTRACT_BUNDLE, 'decoder.onnx')));
  assert.deepEqual(io.inputs.map((v) => v.name), ['inputs_embeds', 'past_keys', 'past_values']);
  assert.deepEqual(io.inputs[1].dims, [2, 1, 2, 'P', 8]);
  assert.equal(io.inputs[0].elemType, 1);
  assert.deepEqual(io.outputs.map((v) => v.name), ['logits', 'last_hidden', 'hidden_states', 'attention', 'present_keys', 'present_values']);
  const embed = readGraphIO(await readFile(join(CONTRACT_BUNDLE, 'embed.onnx')));
  assert.equal(embed.inputs[0].elemType, 7);
  assert.throws(() => readGraphIO(Buffer.from('not a model at all')), /./);
});

test('a bundle with a missing graph', async () => {
  const dir = await bundleVariant();
  await rm(join(dir, 'extractor.onnx'));
  await assert.rejects(validateBundle(dir), { name: 'BundleError', message: new RegExp(`${dir}/extractor\\.onnx: named by "graphs\\.extractor" in .*latent-trace\\.json but missing \\(ENOENT\\)`) });
});

test('a manifest with a wrong field type', async () => {
  const dir = await bundleVariant((m) => {
    m.image.grid.rows = '4';
  });
  await assert.rejects(validateBundle(dir), { name: 'BundleError', message: `${dir}/latent-trace.json: field "image.grid.rows" must be a positive integer, got "4"` });
});

test('a manifest that is not JSON, or missing', async () => {
  const dir = await bundleVariant();
  await writeFile(join(dir, 'latent-trace.json'), '{"format": ');
  await assert.rejects(validateBundle(dir), /latent-trace\.json: not valid JSON/);
  await assert.rejects(validateBundle(join(dir, 'nope')), /nope\/latent-trace\.json: cannot read the bundle manifest \(ENOENT\)/);
});

test('a graph with wrong input names', async () => {
  const dir = await bundleVariant();
  const file = join(dir, 'decoder.onnx');
  // same-length rename keeps the protobuf valid: the graph now takes "inputs_embedz"
  const bytes = await readFile(file);
  await writeFile(file, Buffer.from(bytes.toString('latin1').replaceAll('inputs_embeds', 'inputs_embedz'), 'latin1'));
  await assert.rejects(validateBundle(dir), {
    name: 'BundleError',
    message: `${file}: decoder graph inputs must be [inputs_embeds, past_keys, past_values], found [inputs_embedz, past_keys, past_values]`,
  });
});

test('a graph whose declared sizes disagree with the manifest', async () => {
  const dir = await bundleVariant((m) => {
    m.model.hiddenSize = 32;
  });
  await assert.rejects(validateBundle(dir), /vision\.onnx: vision output "(visual_tokens|local_features)" axis 2 must be 32 \(from the manifest\), found 16/);
});

test('a graph file that is not ONNX', async () => {
  const dir = await bundleVariant();
  await writeFile(join(dir, 'unet.onnx'), 'hello');
  await assert.rejects(validateBundle(dir), /unet\.onnx: not a readable ONNX model/);
});

test('files changed after export fail the content hash', async () => {
  const dir = await bundleVariant();
  const tok = join(dir, 'tokenizer.json');
  await writeFile(tok, (await readFile(tok, 'utf8')).replace('"red"', '"rot"'));
  await assert.rejects(validateBundle(dir), /content hash mismatch: manifest says sha256:[0-9a-f]{64}, files give sha256:[0-9a-f]{64}/);
  await validateBundle(dir, { verifyHash: false });
});

test('graph paths must stay inside the bundle', async () => {
  const dir = await bundleVariant((m) => {
    m.graphs.unet = '../../etc/passwd';
  });
  await assert.rejects(validateBundle(dir), /field "graphs\.unet" must name a file inside the bundle folder/);
});

test('special tokens must exist in the tokenizer; WordLevel maps unknown words to <unk>', async () => {
  const bad = await bundleVariant((m) => {
    m.tokenizer.special.latentEnd = '<|nope|>';
  });
  await assert.rejects(loadBundle(bad), /tokenizer\.json: special token "<\|nope\|>" is not in the vocabulary/);
  const b = await loadBundle(CONTRACT_BUNDLE);
  assert.deepEqual(b.tokenizer.encode('What color is the Hexagon?'), [6, 7, 8, 9, 1, 12]);
  assert.equal(b.tokenizer.decode([13, 3, 8]), 'red is');
  assert.equal(b.tokenizer.decode([6, 7, 12]), 'what color ?');
});

test('a graph that validates but fails inside onnxruntime reports the file', async () => {
  const dir = await bundleVariant();
  const file = join(dir, 'vision.onnx');
  // an unknown operator (same-length rename keeps the protobuf and the declared I/O valid)
  const bytes = await readFile(file);
  await writeFile(file, Buffer.from(bytes.toString('latin1').replaceAll('Conv', 'Cxnv'), 'latin1'));
  const engine = await openEngine(dir, { verifyHash: false });
  try {
    await assert.rejects(engine.trace({ image: await squareImage(), question: 'what color is the square?' }), {
      message: new RegExp(`^${file}: cannot load ONNX graph: .*Cxnv`),
    });
  } finally {
    await engine.dispose();
  }
});
