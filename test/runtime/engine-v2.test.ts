/**
 * The engine on a format version 2 bundle (test/fixtures/runtime-v2/make_bundle.py: dynamic images,
 * M-RoPE, GQA, external data, LVR head, latent-end embedding): non-square grids per image, the LVR
 * `latent` stop rule, a float16 KV cache, and the bundle checks of issue 15 items 6 and 7.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { validateBundle } from '../../src/runtime/bundle';
import { continuePositions, Decoder, expectOutput, need } from '../../src/runtime/decoder';
import { openEngine } from '../../src/runtime/engine';
import { OnnxSessions } from '../../src/runtime/onnx';
import { floatTensor, int64Tensor } from '../../src/runtime/tensor';
import { latentCriterion } from '../../src/runtime/lvr-loop';

const BUNDLE = join(__dirname, '..', 'fixtures', 'runtime-v2', 'lvr-bundle');
const question = 'What colour is the red circle?';
const temps: string[] = [];
after(() => Promise.all(temps.map((d) => rm(d, { recursive: true, force: true }))));

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'lt-v2-'));
  temps.push(d);
  return d;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests edited as plain JSON
async function variant(edit: (m: Record<string, any>, dir: string) => Promise<void> | void = () => {}): Promise<string> {
  const dir = join(await tempDir(), 'bundle');
  await cp(BUNDLE, dir, { recursive: true });
  const file = join(dir, 'latent-trace.json');
  const m = JSON.parse(await readFile(file, 'utf8'));
  await edit(m, dir);
  await writeFile(file, JSON.stringify(m, null, 2));
  return dir;
}

/** a w x h test image: a red disc on a blue-to-green gradient */
async function image(w: number, h: number): Promise<Buffer> {
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const inDisc = (x - w / 3) ** 2 + (y - h / 2) ** 2 < (Math.min(w, h) / 4) ** 2;
      raw.set(inDisc ? [220, 30, 30] : [20, Math.round((255 * x) / w), Math.round((255 * y) / h)], (y * w + x) * 3);
    }
  }
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
}

test('the v2 bundle validates, its hash covering the external data and the latent-end embedding', async () => {
  const b = await validateBundle(BUNDLE);
  assert.equal(b.manifest.formatVersion, 2);
  assert.equal(b.latentEndPath, join(BUNDLE, 'latent_end.f32'));

  const data = await variant(async (_m, dir) => {
    const bytes = await readFile(join(dir, 'decoder.onnx.data'));
    bytes[100] ^= 1;
    await writeFile(join(dir, 'decoder.onnx.data'), bytes);
  });
  await assert.rejects(validateBundle(data), { name: 'BundleError', message: /content hash mismatch/ });
  await assert.doesNotReject(validateBundle(data, { verifyHash: false }));

  const end = await variant(async (_m, dir) => {
    const bytes = await readFile(join(dir, 'latent_end.f32'));
    bytes[0] ^= 1;
    await writeFile(join(dir, 'latent_end.f32'), bytes);
  });
  await assert.rejects(validateBundle(end), { message: /content hash mismatch/ });

  const short = await variant(async (_m, dir) => writeFile(join(dir, 'latent_end.f32'), Buffer.alloc(12)));
  await assert.rejects(validateBundle(short, { verifyHash: false }), { message: /latent_end\.f32: the latent-end embedding must hold model.hiddenSize = 16 float32 values \(64 bytes\), found 12 bytes/ });

  const missing = await variant(async (_m, dir) => rm(join(dir, 'decoder.onnx.data')));
  await assert.rejects(validateBundle(missing), { message: /decoder\.onnx\.data: named by external data "decoder\.onnx\.data" of graphs\.decoder in .*decoder\.onnx but missing/ });
});

test('graph files, external data and other bundle files that link outside the bundle are refused', async () => {
  const outside = await tempDir();
  await cp(join(BUNDLE, 'decoder.onnx.data'), join(outside, 'weights.bin'));
  await cp(join(BUNDLE, 'vision.onnx'), join(outside, 'vision.onnx'));
  const data = await variant(async (_m, dir) => {
    await rm(join(dir, 'decoder.onnx.data'));
    await symlink(join(outside, 'weights.bin'), join(dir, 'decoder.onnx.data'));
  });
  await assert.rejects(validateBundle(data, { verifyHash: false }), { name: 'BundleError', message: new RegExp(`decoder\\.onnx\\.data: named by external data .* is a link to ${outside}/weights\\.bin, outside the bundle folder`) });
  const graph = await variant(async (_m, dir) => {
    await rm(join(dir, 'vision.onnx'));
    await symlink(join(outside, 'vision.onnx'), join(dir, 'vision.onnx'));
  });
  await assert.rejects(validateBundle(graph, { verifyHash: false }), { message: /vision\.onnx: named by "graphs\.vision" in .* is a link to .*, outside the bundle folder/ });
  // a link that stays inside the bundle is fine, and the hash still holds
  const inside = await variant(async (m, dir) => {
    await symlink('vision.onnx', join(dir, 'vision-link.onnx'));
    m.graphs.vision = 'vision-link.onnx';
  });
  await assert.doesNotReject(validateBundle(inside, { verifyHash: false }));
});

test('a non-square image gets its own grid: smart_resize, N visual tokens, saliency over rows x cols', async () => {
  const engine = await openEngine(BUNDLE);
  try {
    // 100x60 -> smart_resize 112x56 -> 8x4 patches -> a 2x4 merged grid
    const d = await engine.traceDetailed({ image: await image(100, 60), imageName: 'wide.png', question, keepVisualTokens: true });
    const t = d.trace;
    assert.deepEqual(t.input.grid, { rows: 2, cols: 4 });
    assert.equal(t.input.imageWidth, 100);
    assert.equal(d.visualTokens.length, 8 * 16);
    assert.equal(d.localFeatures.length, 8 * 8);
    assert.equal(t.stopReason, 'fixed');
    assert.equal(t.steps.length, 4);
    for (const s of t.steps) {
      assert.equal(s.saliency.length, 8);
      assert.equal(s.visualSimilarity.length, 8);
      assert.equal(s.latentToken.length, 16);
    }
    // the visual positions are where the chat template put <|image_pad|>
    assert.equal(d.inputIds.filter((id) => id === -1).length, 8);
    assert.equal(d.inputIds.indexOf(-1) >= 0, true);
    assert.equal(t.firstAnswerAttention.perLayer.length, 2 * 8);
    // a portrait image gets the transposed grid
    const tall = await engine.trace({ image: await image(60, 100), question });
    assert.deepEqual(tall.input.grid, { rows: 4, cols: 2 });
    // the fed vectors are the LVR head's output: no two steps are the raw hidden copied through
    assert.ok(t.steps[0].latentToken.some((v, i) => v !== t.steps[1].latentToken[i]));
  } finally {
    await engine.dispose();
  }
});

test('LVR latent stop: the first step whose next vector is within the threshold of the latent-end embedding', async () => {
  const engine = await openEngine(BUNDLE);
  try {
    const img = await image(100, 60);
    const end = new Float32Array((await readFile(join(BUNDLE, 'latent_end.f32'))).buffer.slice(0));
    const fixed = await engine.trace({ image: img, question, settings: { lvrStop: 'fixed', latentSteps: 6, maxLatentSteps: 6 } });
    // step t+1's fed vector is the candidate after step t
    const criteria = fixed.steps.slice(1).map((s) => latentCriterion('mse', s.latentToken, end));
    const sorted = [...criteria].sort((a, b) => a - b);
    const threshold = (sorted[1] + sorted[2]) / 2;
    const expected = criteria.findIndex((c) => c < threshold) + 1;
    const manifestFile = join(await variantWithLvr({ threshold }), 'latent-trace.json');
    const stopped = await openEngine(join(manifestFile, '..'), { verifyHash: false });
    try {
      const t = await stopped.trace({ image: img, question, settings: { lvrStop: 'latent' } });
      assert.equal(t.stopReason, 'latent');
      assert.equal(t.stoppedAt, expected);
      t.steps.forEach((s, i) => assert.deepEqual(s.latentToken, fixed.steps[i].latentToken));
      const never = await stopped.trace({ image: img, question, settings: { lvrStop: 'latent', maxLatentSteps: 3 } });
      if (expected > 3) assert.equal(never.stopReason, 'max-steps');
    } finally {
      await stopped.dispose();
    }
    const zero = await openEngine(await variantWithLvr({ threshold: 0 }), { verifyHash: false });
    try {
      const t = await zero.trace({ image: img, question, settings: { lvrStop: 'latent' } });
      assert.equal(t.stopReason, 'max-steps');
      assert.equal(t.stoppedAt, 6, 'lvr.maxSteps caps the latent rule');
    } finally {
      await zero.dispose();
    }
  } finally {
    await engine.dispose();
  }
});

function variantWithLvr(lvr: Record<string, unknown>): Promise<string> {
  return variant((m) => {
    m.lvr = { ...m.lvr, ...lvr };
  });
}

test('latentCriterion: mse, mae and cosine (1 - cos) averaged as LVR defines them', () => {
  const a = Float32Array.from([1, 2, 3, 4]);
  const b = Float32Array.from([2, 2, 1, 4]);
  assert.equal(latentCriterion('mse', a, b), (1 + 0 + 4 + 0) / 4);
  assert.equal(latentCriterion('mae', a, b), (1 + 0 + 2 + 0) / 4);
  const cos = (2 + 4 + 3 + 16) / (Math.sqrt(30) * Math.sqrt(25));
  assert.ok(Math.abs(latentCriterion('cosine', a, b) - (1 - cos)) < 1e-12);
  assert.equal(latentCriterion('cosine', a, a) < 1e-12, true);
  assert.throws(() => latentCriterion('mse', a, Float32Array.from([1])), /latent-end embedding has 1 values/);
});

test('a float16 KV cache runs through the same loop and agrees with float32 to fp16 precision', async () => {
  const img = await image(100, 60);
  const f32 = await openEngine(BUNDLE);
  const dir = await variant((m) => {
    m.model.kvDtype = 'float16';
    m.graphs.decoder = 'decoder-fp16kv.onnx';
  });
  const f16 = await openEngine(dir, { verifyHash: false });
  try {
    const a = await f32.trace({ image: img, question });
    const b = await f16.trace({ image: img, question });
    assert.equal(b.steps.length, a.steps.length);
    let worst = 0;
    a.steps.forEach((s, i) => s.latentToken.forEach((v, j) => { worst = Math.max(worst, Math.abs(v - b.steps[i].latentToken[j]) / (1e-2 + Math.abs(v))); }));
    assert.ok(worst < 1e-2, `relative difference ${worst}`);
  } finally {
    await f32.dispose();
    await f16.dispose();
  }
});

test('a v2 step or answer limit names the option', async () => {
  const engine = await openEngine(BUNDLE);
  try {
    await assert.rejects(engine.trace({ image: await image(100, 60), question, settings: { latentSteps: 1_000_000, maxLatentSteps: 1_000_000 } }), {
      name: 'InputError', message: /^latent steps T \(--steps, setting latentSteps\) is 1000000 and .*: latent steps T \(--steps, setting latentSteps\) must be between 1 and \d+ with 5 answer tokens/,
    });
  } finally {
    await engine.dispose();
  }
  const capped = await openEngine(await variantWithLvr({ maxSteps: 1_000_000 }), { verifyHash: false });
  try {
    await assert.rejects(capped.trace({ image: await image(100, 60), question, settings: { lvrStop: 'latent' } }), {
      message: /^the latent step cap \(the bundle's lvr.maxSteps\) is 1000000 and the answer token limit \(the bundle's defaults.maxAnswerTokens\) is 5;/,
    });
  } finally {
    await capped.dispose();
  }
});

test('external data locations outside the bundle, relative or absolute, are refused', async () => {
  const name = 'decoder.onnx.data';
  for (const location of ['../ecoder.onnx.da', '/tmp/lt-abs.data1']) {
    assert.equal(location.length, name.length);
    const dir = await variant(async (_m, d) => {
      const bytes = await readFile(join(d, 'decoder.onnx'));
      await writeFile(join(d, 'decoder.onnx'), Buffer.from(bytes.toString('latin1').split(name).join(location), 'latin1'));
    });
    await assert.rejects(validateBundle(dir, { verifyHash: false }), {
      name: 'BundleError',
      message: location.startsWith('/')
        ? /decoder\.onnx: external data "\/tmp\/lt-abs\.data1" of graphs\.decoder must be a path relative to the graph/
        : /decoder\.onnx: external data "\.\.\/ecoder\.onnx\.da" of graphs\.decoder must name a file inside the bundle folder/,
    });
  }
});

test('M-RoPE in the engine: latent steps continue at max + 1 of the prefill positions, one per step', async () => {
  const engine = await openEngine(BUNDLE);
  const sessions = new OnnxSessions();
  try {
    const m = engine.manifest;
    const D = m.model.hiddenSize;
    const d = await engine.traceDetailed({ image: await image(100, 60), question, settings: { lvrStop: 'fixed', latentSteps: 3 } }, { inspectPrefill: true });
    const S = d.inputIds.length;
    const ids = d.positionIds!;
    assert.equal(ids.length, 3 * S);
    // the visual positions take (t, h, w) offsets: their h and w axes differ from t; the text after them does not
    const offset = d.inputIds.indexOf(-1);
    assert.notEqual(ids[S + offset + 4], ids[offset + 4], 'row 1 of the grid has h = offset + 1');
    let max = 0n;
    for (const v of ids) if (v > max) max = v;
    const next = Number(max) + 1;
    assert.ok(next < S, 'the image compresses positions: max + 1 is below the prefill length');

    // replay the loop by hand with positions max+1, max+2, ... and the LVR head
    const dec = new Decoder(await sessions.get(join(BUNDLE, 'decoder.onnx')), m);
    const embed = await sessions.get(join(BUNDLE, 'embed.onnx'));
    const head = await sessions.get(join(BUNDLE, 'lvr_head.onnx'));
    const text = d.inputIds.filter((id) => id >= 0);
    const textEmb = expectOutput(await embed.run({ input_ids: int64Tensor(text) }), 'embeddings', [1, text.length, D], 'embed');
    const prefill = new Float32Array(S * D);
    let k = 0;
    let v = 0;
    d.inputIds.forEach((id, p) => prefill.set(id < 0 ? d.visualTokens.subarray(v++ * D, v * D) : textEmb.subarray(k++ * D, k * D), p * D));
    const applyHead = async (h: Float32Array) => Float32Array.from(expectOutput(await head.run({ hidden: floatTensor(h, [1, 1, D]) }), 'projected', [1, 1, D], 'head'));
    let { state, step } = await dec.run(dec.empty(), prefill, S, ['lastHidden'], { positionIds: ids, next });
    for (let t = 0; t < 3; t++) {
      const fed = await applyHead(need(step, 'lastHidden'));
      d.trace.steps[t].latentToken.forEach((x, i) => assert.ok(Math.abs(x - fed[i]) < 1e-5, `step ${t + 1}[${i}]`));
      ({ state, step } = await dec.run(state, fed, 1, ['lastHidden'], continuePositions(next + t, 1)));
    }
    // with positions numbered by sequence length instead, the second step would differ
    const wrong = await dec.run(dec.empty(), prefill, S, ['lastHidden'], { positionIds: ids, next });
    const second = await dec.run(wrong.state, await applyHead(need(wrong.step, 'lastHidden')), 1, ['lastHidden'], continuePositions(S, 1));
    const wrongToken = await applyHead(need(second.step, 'lastHidden'));
    assert.ok(wrongToken.some((x, i) => Math.abs(x - d.trace.steps[1].latentToken[i]) > 1e-4), 'positions after the prompt matter in this bundle');
  } finally {
    await sessions.dispose();
    await engine.dispose();
  }
});
