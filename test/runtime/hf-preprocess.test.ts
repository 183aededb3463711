// Hand-checked cases of the HF preprocessing and M-RoPE modules: the rules each branch encodes, small enough to
// verify on paper. test/runtime/hf-preprocess-oracle.test.ts holds the comparison against Hugging Face itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flattenOnWhite, preprocessDynamic, preprocessFixed, resizeRgb, smartResize } from '../../src/runtime/hf-preprocess';
import { windowPartition } from '../../src/runtime/qwen-vision-grid';
import { mropePositionIds } from '../../src/runtime/mrope';
import type { DynamicImageSpec, FixedImageSpec } from '../../src/shared/image-spec';

const CLIP_MEAN: [number, number, number] = [0.48145466, 0.4578275, 0.40821073];
const CLIP_STD: [number, number, number] = [0.26862954, 0.26130258, 0.27577711];
const dynamic: DynamicImageSpec = {
  kind: 'dynamic', patchSize: 14, temporalPatchSize: 2, mergeSize: 2, minPixels: 3136, maxPixels: 1003520,
  resample: 'bicubic', mean: CLIP_MEAN, std: CLIP_STD, windowSize: 112,
};
const stretch: FixedImageSpec = {
  kind: 'fixed', height: 2, width: 3, resize: 'stretch', resample: 'bilinear', mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5],
  patchSize: 1, grid: { rows: 2, cols: 3 },
};
const solid = (width: number, height: number, rgb: [number, number, number]) => ({
  width, height, data: Uint8Array.from({ length: width * height * 3 }, (_, i) => rgb[i % 3]),
});
const ints = (a: BigInt64Array) => Array.from(a, Number);

test('smartResize: Python rounding sends ties to even (70 -> 56, 98 -> 112), tiny images grow to minPixels, large shrink under maxPixels', () => {
  assert.deepEqual(smartResize(70, 98, 28, 3136, 1003520), { height: 56, width: 112 });
  assert.deepEqual(smartResize(1, 1, 28, 3136, 1003520), { height: 56, width: 56 });
  // beta = sqrt(12e6 / 1003520) = 3.458; floor(3000/beta/28) = 30, floor(4000/beta/28) = 41
  assert.deepEqual(smartResize(3000, 4000, 28, 3136, 1003520), { height: 840, width: 1148 });
  assert.throws(() => smartResize(1, 201, 28, 3136, 1003520), /aspect ratio 201\.0, above the 200/);
  assert.throws(() => smartResize(0, 5, 28, 3136, 1003520), /height must be a positive integer/);
});

test('windowPartition: 3x5 merged units in 2x2 windows, edge windows partial, window ids per patch', () => {
  const { windowIndex, windowSeqIds } = windowPartition(3, 5, 2, 2);
  assert.deepEqual(ints(windowIndex), [0, 1, 5, 6, 2, 3, 7, 8, 4, 9, 10, 11, 12, 13, 14]);
  const counts = [16, 16, 8, 8, 8, 4];
  assert.deepEqual(ints(windowSeqIds), counts.flatMap((n, id) => Array<number>(n).fill(id)));
});

test('mropePositionIds: text, a 2x3 image at offset 2 taking (2, 2+i, 2+j), text after continuing from max+1', () => {
  const { positionIds, next } = mropePositionIds(10, 2, { rows: 2, cols: 3 });
  const axis = (k: number) => ints(positionIds.subarray(k * 10, (k + 1) * 10));
  assert.deepEqual(axis(0), [0, 1, 2, 2, 2, 2, 2, 2, 5, 6]);
  assert.deepEqual(axis(1), [0, 1, 2, 2, 2, 3, 3, 3, 5, 6]);
  assert.deepEqual(axis(2), [0, 1, 2, 3, 4, 2, 3, 4, 5, 6]);
  assert.equal(next, 7);
  // the image last: the next token still continues from the image's max + 1
  assert.equal(mropePositionIds(8, 2, { rows: 2, cols: 3 }).next, 5);
  const text = mropePositionIds(4, 0, null);
  assert.deepEqual(ints(text.positionIds), [0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]);
  assert.equal(text.next, 4);
  assert.throws(() => mropePositionIds(7, 2, { rows: 2, cols: 3 }), /6 image positions at offset 2 do not fit in 7/);
});

test('resizeRgb: same size is a copy; bad sizes, buffers and filters are refused with the reason', () => {
  const img = solid(2, 2, [1, 2, 3]);
  const same = resizeRgb(img, 2, 2, 'bicubic');
  assert.deepEqual(same.data, img.data);
  assert.notEqual(same.data, img.data);
  assert.throws(() => resizeRgb({ width: 2, height: 2, data: new Uint8Array(11) }, 1, 1, 'bicubic'), /11 bytes for 2x2 RGB, expected 12/);
  assert.throws(() => resizeRgb(img, 0, 1, 'bicubic'), /target size 0x1/);
  assert.throws(() => resizeRgb(img, 1, 1, 'lanczos' as 'bicubic'), /unknown filter "lanczos"/);
});

test('preprocessFixed: a solid image stretched stays solid, normalised in float32 as numpy does', () => {
  const out = preprocessFixed(solid(1, 1, [255, 0, 51]), stretch);
  assert.deepEqual([out.height, out.width, out.pixels.length], [2, 3, 18]);
  const f = Math.fround;
  const want = [255, 0, 51].map((u) => f(f(f(u * (1 / 255)) - f(0.5)) / f(0.5)));
  for (let c = 0; c < 3; c++) for (let i = 0; i < 6; i++) assert.equal(out.pixels[c * 6 + i], want[c]);
  assert.throws(() => preprocessFixed(solid(1, 1, [0, 0, 0]), { ...stretch, resize: 'shortest-edge-center-crop' }), /shortestEdge must be a positive integer/);
  assert.throws(() => preprocessFixed(solid(1, 1, [0, 0, 0]), { ...stretch, std: [1, 0, 1] }), /std has a zero entry/);
});

test('preprocessDynamic: patch layout [t, gh/2, gw/2, 2, 2, C, T, 14, 14] with the frame repeated T times', () => {
  // 56x56: a 4x4 patch grid, one 2x2 merged grid; each patch's first pixel value is its own index
  const data = new Uint8Array(56 * 56 * 3);
  for (let y = 0; y < 56; y++) for (let x = 0; x < 56; x++) data[(y * 56 + x) * 3] = Math.floor(y / 14) * 4 + Math.floor(x / 14);
  const out = preprocessDynamic({ width: 56, height: 56, data }, { ...dynamic, mean: [0, 0, 0], std: [1, 1, 1] });
  assert.deepEqual(out.gridThw, [1, 4, 4]);
  assert.deepEqual(out.merged, { rows: 2, cols: 2 });
  assert.deepEqual([out.patches, out.patchDim], [16, 1176]);
  const order = Array.from({ length: 16 }, (_, p) => Math.round(out.pixelValues[p * 1176] * 255));
  // merged unit (0,0) holds patches (0,0),(0,1),(1,0),(1,1) = 0,1,4,5, then unit (0,1) = 2,3,6,7, ...
  assert.deepEqual(order, [0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15]);
  assert.deepEqual(ints(out.rotaryPosIds).slice(0, 8), [0, 0, 0, 1, 1, 0, 1, 1]);
  // channel 0, frame 1 repeats frame 0; channel 1 is zero
  assert.deepEqual(out.pixelValues.subarray(196, 392), out.pixelValues.subarray(0, 196));
  assert.equal(out.pixelValues[392], 0);
  assert.throws(() => preprocessDynamic({ width: 56, height: 56, data }, { ...dynamic, windowSize: 100 }), /windowSize 100 is not a multiple of patchSize\*mergeSize = 28/);
});

test('flattenOnWhite rounds as PIL alpha_composite: opaque kept, transparent white, half blended and rounded', () => {
  const out = flattenOnWhite(Uint8Array.from([10, 20, 30, 255, 10, 20, 30, 0, 0, 100, 201, 128]), 3, 1);
  // (0*128 + 255*127)/255 = 127; (100*128 + 32385)/255 = 177.2 -> 177; (201*128 + 32385)/255 = 227.9 -> 228
  assert.deepEqual(Array.from(out.data), [10, 20, 30, 255, 255, 255, 127, 177, 228]);
  assert.throws(() => flattenOnWhite(new Uint8Array(7), 2, 1), /7 bytes for 2x1 RGBA, expected 8/);
});
