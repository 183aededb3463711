/** Format version 2 manifests: every new field, accepted when right and named when wrong. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateManifest } from '../../src/runtime/manifest-schema';
import { sampleManifest, sampleManifestV2Lare, sampleManifestV2Lvr } from './manifest-fixture';

const FILE = 'models/v2/latent-trace.json';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests write deliberately ill-typed manifests
function edited(base: () => object, edit: (m: any) => void): unknown {
  const m = JSON.parse(JSON.stringify(base()));
  edit(m);
  return m;
}

function rejects(base: () => object, edit: (m: Record<string, any>) => void, message: RegExp): void { // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.throws(() => validateManifest(edited(base, edit), FILE), (err: Error) => {
    assert.equal(err.name, 'BundleError');
    assert.ok(err.message.startsWith(`${FILE}: `), err.message);
    assert.match(err.message, message);
    return true;
  });
}

test('valid version 2 manifests pass: LVR on Qwen2.5-VL, LaRe on LLaVA', () => {
  const lvr = validateManifest(sampleManifestV2Lvr(), FILE);
  assert.equal(lvr.formatVersion, 2);
  const lare = validateManifest(sampleManifestV2Lare(), FILE);
  assert.equal(lare.method, 'lare');
});

test('version 1 manifests still pass, and version 2 fields in them are refused', () => {
  assert.equal(validateManifest(sampleManifest(), FILE).formatVersion, 1);
  rejects(sampleManifest, (m) => { m.graphs.lvrHead = 'h.onnx'; }, /field "graphs.lvrHead" is a format version 2 field/);
  rejects(sampleManifest, (m) => { m.formatVersion = 3; }, /field "formatVersion" must be one of 1, 2, got 3/);
  rejects(sampleManifest, (m) => { m.method = 'lvr'; m.defaults.lvrStop = 'latent'; delete m.saliency; }, /field "defaults.lvrStop" must be one of "fixed", "end-token", "end-distance", got "latent"/);
});

test('family, image kind and the dynamic image fields', () => {
  const lvr = sampleManifestV2Lvr;
  rejects(lvr, (m) => { m.family = 'gpt'; }, /field "family" must be one of "llava", "qwen2_5_vl"/);
  rejects(lvr, (m) => { m.image.kind = 'square'; }, /field "image.kind" must be one of "fixed", "dynamic"/);
  rejects(lvr, (m) => { m.image.resample = 'lanczos'; }, /field "image.resample" must be one of "bicubic", "bilinear"/);
  rejects(lvr, (m) => { m.image.mean = [0.5, 0.5]; }, /field "image.mean" must be an array of 3 numbers/);
  rejects(lvr, (m) => { m.image.std[2] = 0; }, /field "image.std\[2\]" must be a positive number/);
  rejects(lvr, (m) => { m.image.patchSize = 0; }, /field "image.patchSize" must be a positive integer/);
  rejects(lvr, (m) => { m.image.temporalPatchSize = 1.5; }, /field "image.temporalPatchSize" must be a positive integer/);
  rejects(lvr, (m) => { delete m.image.mergeSize; }, /field "image.mergeSize" must be a positive integer, got nothing/);
  rejects(lvr, (m) => { m.image.minPixels = -1; }, /field "image.minPixels" must be a positive integer/);
  rejects(lvr, (m) => { m.image.maxPixels = 1000; }, /field "image.maxPixels" must be >= image.minPixels \(3136\)/);
  rejects(lvr, (m) => { m.image.minPixels = 100; m.image.maxPixels = 500; }, /field "image.maxPixels" must hold at least one merged patch \(28x28 = 784 pixels\)/);
  rejects(lvr, (m) => { m.image.windowSize = 100; }, /field "image.windowSize" must be a multiple of image.patchSize\*image.mergeSize = 28/);
  rejects(lvr, (m) => { m.model.visualTokens = 64; }, /field "model.visualTokens" must be null for a dynamic image/);
});

test('the fixed image fields', () => {
  const lare = sampleManifestV2Lare;
  rejects(lare, (m) => { m.image.height = 0; }, /field "image.height" must be a positive integer/);
  rejects(lare, (m) => { m.image.resize = 'pad'; }, /field "image.resize" must be one of "shortest-edge-center-crop", "stretch"/);
  rejects(lare, (m) => { delete m.image.shortestEdge; }, /field "image.shortestEdge" must be a positive integer, got nothing/);
  rejects(lare, (m) => { m.image.shortestEdge = 200; }, /field "image.shortestEdge" must be at least the crop's shorter side 224/);
  rejects(lare, (m) => { m.image.resize = 'stretch'; }, /field "image.shortestEdge" only applies to resize "shortest-edge-center-crop"/);
  rejects(lare, (m) => { m.image.grid = { rows: 16, cols: 15 }; m.model.visualTokens = 240; }, /field "image.grid" must tile image.height 224 x image.width 224 with image.patchSize 14/);
  rejects(lare, (m) => { m.model.visualTokens = null; }, /field "model.visualTokens" must be a positive integer, got null/);
  rejects(lare, (m) => { m.model.visualTokens = 255; }, /must equal image.grid.rows\*cols = 256/);
  rejects(lare, (m) => { m.window.size = 17; }, /field "window.size" must fit the 16x16 grid/);
  // a non-square fixed grid is fine
  assert.doesNotThrow(() => validateManifest(edited(lare, (m) => { m.image.width = 336; m.image.grid.cols = 24; m.model.visualTokens = 384; }), FILE));
  assert.doesNotThrow(() => validateManifest(edited(lare, (m) => { m.image.resize = 'stretch'; delete m.image.shortestEdge; }), FILE));
});

test('the model fields: kvHeads, positions, mropeSection, dtypes', () => {
  const lvr = sampleManifestV2Lvr;
  rejects(lvr, (m) => { delete m.model.kvHeads; }, /field "model.kvHeads" must be a positive integer, got nothing/);
  rejects(lvr, (m) => { m.model.kvHeads = 3; }, /field "model.kvHeads" must divide model.heads \(4\)/);
  rejects(lvr, (m) => { m.model.positions = 'alibi'; }, /field "model.positions" must be one of "implied", "mrope"/);
  rejects(lvr, (m) => { m.model.mropeSection = [2, 3, 4]; }, /field "model.mropeSection" must sum to model.headDim\/2 = 8/);
  rejects(lvr, (m) => { m.model.mropeSection = [2, 3]; }, /field "model.mropeSection" must be an array of 3 numbers/);
  rejects(lvr, (m) => { m.model.mropeSection = [2.5, 2.5, 3]; }, /field "model.mropeSection\[0\]" must be a positive integer/);
  rejects(lvr, (m) => { m.model.positions = 'implied'; }, /field "model.mropeSection" only applies to model.positions "mrope"/);
  rejects(lvr, (m) => { m.model.dtype = 'bfloat16'; }, /field "model.dtype" must be one of "float32", "float16"/);
  rejects(lvr, (m) => { delete m.model.kvDtype; }, /field "model.kvDtype" must be one of "float32", "float16", got nothing/);
  assert.doesNotThrow(() => validateManifest(edited(lvr, (m) => { delete m.model.mropeSection; }), FILE));
});

test('the tokenizer chat template and the chat prompt', () => {
  const lvr = sampleManifestV2Lvr;
  rejects(lvr, (m) => { delete m.tokenizer.chatTemplate; }, /field "tokenizer.chatTemplate" must hold the chat template when "prompt.chat" is used/);
  rejects(lvr, (m) => { m.tokenizer.chatTemplate = 7; }, /field "tokenizer.chatTemplate" must be a non-empty string, got 7/);
  rejects(lvr, (m) => { m.prompt.chat.system = 3; }, /field "prompt.chat.system" must be a non-empty string, got 3/);
  rejects(lvr, (m) => { m.prompt.chat.imageToken = ''; }, /field "prompt.chat.imageToken" must be a non-empty string/);
  rejects(lvr, (m) => { m.prompt.chat.suffix = []; }, /field "prompt.chat.suffix" must be an array of at least 1 strings/);
  rejects(lvr, (m) => { m.prompt.chat.suffix = ['<|im_end|>']; }, /field "prompt.chat.suffix" must end with tokenizer.special.latentStart \("<\|lvr_start\|>"\)/);
  rejects(lvr, (m) => { m.prompt.template = ['{image}', '{question}', '<|lvr_start|>']; }, /field "prompt" must have "template" or "chat", not both/);
  rejects(lvr, (m) => { m.prompt = {}; }, /field "prompt.template" must be a non-empty array of strings \(or give "prompt.chat"\)/);
  assert.doesNotThrow(() => validateManifest(edited(lvr, (m) => { m.prompt.chat.system = null; }), FILE));
  // the version 1 template form stays available in version 2
  assert.doesNotThrow(() => validateManifest(edited(lvr, (m) => { m.prompt = { template: ['{image}', '{question}', '<|lvr_start|>'] }; }), FILE));
  // direct bundles may have an empty suffix
  assert.doesNotThrow(() => validateManifest(edited(lvr, (m) => {
    m.method = 'direct'; m.prompt.chat.suffix = []; delete m.lvr; delete m.defaults.lvrStop; delete m.graphs.lvrHead; m.defaults.latentSteps = 0; m.defaults.maxLatentSteps = 0;
  }), FILE));
});

test('graphs.lvrHead, the lvr object and the latent stop rule', () => {
  const lvr = sampleManifestV2Lvr;
  rejects(lvr, (m) => { m.graphs.lvrHead = ''; }, /field "graphs.lvrHead" must be a non-empty string/);
  rejects(lvr, (m) => { m.lvr.criterion = 'l2'; }, /field "lvr.criterion" must be one of "mse", "mae", "cosine"/);
  rejects(lvr, (m) => { m.lvr.threshold = -0.1; }, /field "lvr.threshold" must be >= 0/);
  rejects(lvr, (m) => { m.lvr.threshold = 'x'; }, /field "lvr.threshold" must be a finite number/);
  rejects(lvr, (m) => { m.lvr.maxSteps = 0; }, /field "lvr.maxSteps" must be a positive integer/);
  rejects(lvr, (m) => { m.lvr.latentEndEmbedding = 5; }, /field "lvr.latentEndEmbedding" must be a non-empty string, got 5/);
  rejects(lvr, (m) => { m.lvr.latentEndEmbedding = null; }, /field "lvr.latentEndEmbedding" must name the latent-end embedding file when defaults.lvrStop is "latent"/);
  rejects(lvr, (m) => { delete m.lvr; }, /field "lvr.latentEndEmbedding" must name the latent-end embedding file/);
  rejects(lvr, (m) => { m.defaults.lvrStop = 'soon'; }, /field "defaults.lvrStop" must be one of "fixed", "end-token", "end-distance", "latent"/);
  rejects(sampleManifestV2Lare, (m) => { m.lvr = { latentEndEmbedding: null, criterion: 'mse', threshold: 0.1, maxSteps: 4 }; }, /field "lvr" only applies to method "lvr"/);
  assert.doesNotThrow(() => validateManifest(edited(lvr, (m) => { m.lvr.latentEndEmbedding = null; m.defaults.lvrStop = 'end-token'; }), FILE));
});
