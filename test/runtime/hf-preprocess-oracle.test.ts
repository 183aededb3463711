// The TypeScript preprocessing and M-RoPE positions against Hugging Face's own processors and get_rope_index
// (fixtures: test/fixtures/hf-preprocess/generate.py). Resized uint8 images, pixel values and every index tensor
// must be bit-identical (SHA-256 of the little-endian bytes); sampled pixel values are also compared with
// atol 1e-6 + rtol 1e-6, so a failure says by how much and where.
import { test, type TestContext } from 'node:test';
import { performance } from 'node:perf_hooks';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodeRgb } from '../../src/runtime/image';
import { flattenOnWhite } from '../../src/runtime/flatten-alpha';
import { preprocessDynamic, preprocessFixed, resizeDynamic, resizeFixed, resizeRgb, type RgbImage } from '../../src/runtime/hf-preprocess';
import { mropePositionIds } from '../../src/runtime/mrope';
import type { DynamicImageSpec, FixedImageSpec, ImageSpecV2 } from '../../src/shared/image-spec';

const DIR = join(__dirname, '../fixtures/hf-preprocess');

interface IntArray { shape: number[]; sha256: string; data?: number[] }
interface FloatArray { shape: number[]; sha256: string; sampleIndex: number[]; sampleValues: number[] }
interface Resized { width: number; height: number; sha256: string; base64?: string }
interface Rope { length: number; imageOffset: number; positionIds: IntArray; next: number }
interface Case {
  image: string;
  input: 'as-opened' | 'flattened';
  spec: string;
  resized: Resized;
  pixels: FloatArray;
  gridThw?: [number, number, number];
  rotaryPosIds?: IntArray;
  windowIndex?: IntArray;
  windowSeqIds?: IntArray;
  rope?: Rope;
}
interface Fixture {
  specs: Record<string, ImageSpecV2>;
  images: { name: string; file: string; width: number; height: number; mode: string; inputs: Record<string, { sha256: string }> }[];
  textOnlyRope: Rope;
  resizeCases: { filter: 'bicubic' | 'bilinear'; input: Resized; output: Resized }[];
  cases: Case[];
}

const fixture = JSON.parse(readFileSync(join(DIR, 'cases.json'), 'utf8')) as Fixture;

const sha = (a: ArrayBufferView) => createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex');

/**
 * The two inputs HF was given: the file as PIL opens it (its convert('RGB') drops alpha), and the RGB flattened on
 * white with PIL's rounding. Images without alpha go through the runtime's own decoder.
 */
async function decode(file: string, input: Case['input']): Promise<RgbImage> {
  const bytes = readFileSync(join(DIR, file));
  const meta = await sharp(bytes).metadata();
  if (!meta.hasAlpha) return decodeRgb(bytes, file);
  const raw = sharp(bytes).toColourspace('srgb');
  if (input === 'flattened') {
    const { data, info } = await raw.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    return flattenOnWhite(data, info.width, info.height);
  }
  const { data, info } = await raw.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
}

const decoded = new Map<string, Promise<RgbImage>>();
function input(name: string, which: Case['input']): Promise<RgbImage> {
  const key = `${name}/${which}`;
  let p = decoded.get(key);
  if (!p) {
    const img = fixture.images.find((i) => i.name === name);
    assert.ok(img, `fixture names an unknown image ${name}`);
    p = decode(img.file, which);
    decoded.set(key, p);
  }
  return p;
}

function sameResized(got: RgbImage, want: Resized, what: string): void {
  assert.deepEqual([got.width, got.height], [want.width, want.height], `${what}: resized size`);
  if (want.base64 !== undefined) {
    const ref = Buffer.from(want.base64, 'base64');
    const i = ref.findIndex((v, k) => v !== got.data[k]);
    assert.equal(i, -1, `${what}: first differing byte ${i} (pixel ${Math.floor(i / 3)}, channel ${i % 3}): ${got.data[i]} vs HF ${ref[i]}`);
  }
  assert.equal(sha(got.data), want.sha256, `${what}: resized uint8 image differs from HF's`);
}

function sameFloats(got: Float32Array, shape: number[], want: FloatArray, what: string): void {
  assert.deepEqual(shape, want.shape, `${what}: shape`);
  assert.equal(got.length, want.shape.reduce((a, b) => a * b, 1), `${what}: length`);
  want.sampleIndex.forEach((idx, k) => {
    const ref = want.sampleValues[k];
    const v = got[idx];
    assert.ok(Math.abs(v - ref) <= 1e-6 + 1e-6 * Math.abs(ref), `${what}: value ${idx} is ${v}, HF ${ref}`);
  });
  assert.equal(sha(got), want.sha256, `${what}: pixel values are not bit-identical to HF's`);
}

function sameInts(got: BigInt64Array, shape: number[], want: IntArray, what: string): void {
  assert.deepEqual(shape, want.shape, `${what}: shape`);
  if (want.data !== undefined) assert.deepEqual(Array.from(got, Number), want.data, what);
  assert.equal(sha(got), want.sha256, `${what}: differs from HF's`);
}

function sameRope(rope: Rope, merged: { rows: number; cols: number } | null, what: string): void {
  const { positionIds, next } = mropePositionIds(rope.length, rope.imageOffset, merged);
  sameInts(positionIds, [3, rope.length], rope.positionIds, `${what}: position ids`);
  assert.equal(next, rope.next, `${what}: next position`);
}

test('the fixture covers at least 10 images: 1x1, portrait, panorama, 4000x3000, odd, RGBA, grey, palette', () => {
  const names = fixture.images.map((i) => `${i.width}x${i.height}`);
  assert.ok(fixture.images.length >= 10, `${fixture.images.length} images`);
  for (const s of ['1x1', '720x1280', '2048x256', '4000x3000']) assert.ok(names.includes(s), s);
  assert.deepEqual([...new Set(fixture.images.map((i) => i.mode))].sort(), ['L', 'P', 'RGB', 'RGBA']);
});

test('decoding the PNGs gives the RGB bytes HF was given (grey and palette expanded; alpha dropped, or flattened on white as PIL rounds it)', async () => {
  for (const img of fixture.images) {
    for (const [which, want] of Object.entries(img.inputs)) {
      const rgb = await input(img.name, which as Case['input']);
      assert.deepEqual([rgb.width, rgb.height], [img.width, img.height], `${img.name}/${which}: size`);
      assert.equal(sha(rgb.data), want.sha256, `${img.name}/${which}: decoded RGB differs from PIL's`);
    }
  }
});

/** Preprocessing time of the large images, reported (not asserted: the machine's load is not the code's). */
function timed<T>(t: TestContext, what: string, pixels: number, f: () => T): T {
  const t0 = performance.now();
  const out = f();
  if (pixels >= 1e6) t.diagnostic(`${what}: ${(performance.now() - t0).toFixed(0)} ms`);
  return out;
}

test('resizeRgb equals Pillow on small random images, both filters, both pass orders', () => {
  assert.ok(fixture.resizeCases.length >= 50);
  for (const [k, c] of fixture.resizeCases.entries()) {
    const src: RgbImage = { width: c.input.width, height: c.input.height, data: Buffer.from(c.input.base64!, 'base64') };
    sameResized(resizeRgb(src, c.output.width, c.output.height, c.filter), c.output, `resize case ${k}: ${src.width}x${src.height} -> ${c.output.width}x${c.output.height} ${c.filter}`);
  }
});

for (const c of fixture.cases) {
  const spec = fixture.specs[c.spec];
  const what = `${c.image} (${c.input}) ${c.spec}`;
  if (spec.kind === 'fixed') {
    test(`fixed: ${what} equals CLIPImageProcessor`, async (t) => {
      const img = await input(c.image, c.input);
      sameResized(resizeFixed(img, spec as FixedImageSpec), c.resized, what);
      const out = timed(t, `preprocessFixed ${what}`, img.width * img.height, () => preprocessFixed(img, spec as FixedImageSpec));
      sameFloats(out.pixels, [3, out.height, out.width], c.pixels, what);
    });
  } else {
    test(`dynamic: ${what} equals Qwen2VLImageProcessor, rot_pos_emb, get_window_index, get_rope_index`, async (t) => {
      const img = await input(c.image, c.input);
      sameResized(resizeDynamic(img, spec as DynamicImageSpec), c.resized, what);
      const out = timed(t, `preprocessDynamic ${what}`, img.width * img.height, () => preprocessDynamic(img, spec as DynamicImageSpec));
      assert.deepEqual(out.gridThw, c.gridThw, `${what}: grid`);
      const [, gh, gw] = out.gridThw;
      const m = (spec as DynamicImageSpec).mergeSize;
      assert.deepEqual(out.merged, { rows: gh / m, cols: gw / m }, `${what}: merged grid`);
      assert.equal(out.patches, gh * gw);
      sameFloats(out.pixelValues, [out.patches, out.patchDim], c.pixels, what);
      sameInts(out.rotaryPosIds, [out.patches, 2], c.rotaryPosIds!, `${what}: rotary_pos_ids`);
      sameInts(out.windowIndex, [out.patches / (m * m)], c.windowIndex!, `${what}: window_index`);
      sameInts(out.windowSeqIds, [out.patches], c.windowSeqIds!, `${what}: window_seq_ids`);
      sameRope(c.rope!, out.merged, what);
    });
  }
}

test('text-only M-RoPE positions equal get_rope_index without an image', () => {
  sameRope(fixture.textOnlyRope, null, 'text only');
});
