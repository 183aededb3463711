/**
 * Hugging Face's slow image processors in TypeScript, value for value: CLIPImageProcessor for fixed-size images
 * (LLaVA) and Qwen2VLImageProcessor with Qwen2.5-VL's vision-side index tensors for dynamic ones. Decoded RGB in,
 * the vision graph's inputs out (docs/bundle-format.md, "Format version 2"). Float steps follow numpy's float32
 * order of operations (rescale in float64 then cast, subtract and divide in float32), so the values are HF's own.
 */
import type { DynamicImageSpec, FixedImageSpec } from '../shared/image-spec';
import { resizeRgb, type RgbImage } from './pil-resize';
import { smartResize, windowPartition } from './qwen-vision-grid';

export { resizeRgb, type RgbImage } from './pil-resize';
export { smartResize } from './qwen-vision-grid';
export { flattenOnWhite } from './flatten-alpha';

const RESCALE = 1 / 255;

function positiveInt(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new RangeError(`image spec: ${field} must be a positive integer, got ${String(v)}`);
  return v;
}

function checkStats(spec: { mean: readonly number[]; std: readonly number[] }): void {
  for (const field of ['mean', 'std'] as const) {
    const v = spec[field];
    if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw new RangeError(`image spec: ${field} must be three finite numbers`);
    }
  }
  if (spec.std.some((s) => s === 0)) throw new RangeError('image spec: std has a zero entry');
}

/** (u * (1/255) - mean) / std per channel, in numpy's float32 steps: a lookup by (uint8 value, channel). */
function normaliser(mean: readonly number[], std: readonly number[]): (u: number, c: number) => number {
  const m = mean.map(Math.fround);
  const s = std.map(Math.fround);
  // 256 values x 3 channels: a table is both faster and exactly the same arithmetic
  const table = new Float32Array(3 * 256);
  for (let c = 0; c < 3; c++) {
    for (let u = 0; u < 256; u++) table[c * 256 + u] = Math.fround(Math.fround(Math.fround(u * RESCALE) - m[c]) / s[c]);
  }
  return (u, c) => table[c * 256 + u];
}

/** CLIP's resize then centre crop (zero padding where the crop is larger than the image), or a plain stretch. */
export function resizeFixed(img: RgbImage, spec: FixedImageSpec): RgbImage {
  const height = positiveInt(spec.height, 'height');
  const width = positiveInt(spec.width, 'width');
  if (spec.resize === 'stretch') return resizeRgb(img, width, height, spec.resample);
  if (spec.resize !== 'shortest-edge-center-crop') throw new RangeError(`image spec: unknown resize "${String(spec.resize)}"`);
  const edge = positiveInt(spec.shortestEdge, 'shortestEdge');
  // get_resize_output_image_size: the long side is int(edge * long / short)
  const portrait = img.width <= img.height;
  const short = portrait ? img.width : img.height;
  const long = portrait ? img.height : img.width;
  const newLong = Math.trunc((edge * long) / short);
  const resized = resizeRgb(img, portrait ? edge : newLong, portrait ? newLong : edge, spec.resample);
  return centreCrop(resized, width, height);
}

function centreCrop(img: RgbImage, width: number, height: number): RgbImage {
  const top = Math.floor((img.height - height) / 2);
  const left = Math.floor((img.width - width) / 2);
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const sy = top + y;
    if (sy < 0 || sy >= img.height) continue;
    for (let x = 0; x < width; x++) {
      const sx = left + x;
      if (sx < 0 || sx >= img.width) continue;
      const s = (sy * img.width + sx) * 3;
      const o = (y * width + x) * 3;
      out[o] = img.data[s];
      out[o + 1] = img.data[s + 1];
      out[o + 2] = img.data[s + 2];
    }
  }
  return { width, height, data: out };
}

/** CLIPImageProcessor: `pixels` [3,H,W], channel-major, normalised. */
export function preprocessFixed(img: RgbImage, spec: FixedImageSpec): { pixels: Float32Array; height: number; width: number } {
  checkStats(spec);
  const r = resizeFixed(img, spec);
  const norm = normaliser(spec.mean, spec.std);
  const plane = r.width * r.height;
  const pixels = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < plane; i++) pixels[c * plane + i] = norm(r.data[i * 3 + c], c);
  }
  return { pixels, height: r.height, width: r.width };
}

export interface DynamicVisionInputs {
  /** [patches, C*T*P*P], exactly Qwen2VLImageProcessor's pixel_values */
  pixelValues: Float32Array;
  patches: number;
  patchDim: number;
  /** (1, gh, gw) in patches */
  gridThw: [number, number, number];
  /** (gh/m, gw/m): the visual token grid the LLM sees */
  merged: { rows: number; cols: number };
  /** [patches, 2]: (h, w) of each patch in pixel_values order, as HF rot_pos_emb's pos_ids */
  rotaryPosIds: BigInt64Array;
  /** [patches / m^2]: HF get_window_index's permutation of merged units */
  windowIndex: BigInt64Array;
  /** [patches]: after the window permutation, the window each patch is in (from cu_window_seqlens) */
  windowSeqIds: BigInt64Array;
}

function checkDynamic(spec: DynamicImageSpec): void {
  for (const f of ['patchSize', 'temporalPatchSize', 'mergeSize', 'minPixels', 'maxPixels', 'windowSize'] as const) positiveInt(spec[f], f);
  checkStats(spec);
  if (spec.minPixels > spec.maxPixels) throw new RangeError(`image spec: minPixels ${spec.minPixels} is above maxPixels ${spec.maxPixels}`);
  if (spec.windowSize % (spec.patchSize * spec.mergeSize) !== 0) {
    throw new RangeError(`image spec: windowSize ${spec.windowSize} is not a multiple of patchSize*mergeSize = ${spec.patchSize * spec.mergeSize}`);
  }
}

/** The uint8 image Qwen2VLImageProcessor resizes to (smart_resize), before rescaling. */
export function resizeDynamic(img: RgbImage, spec: DynamicImageSpec): RgbImage {
  checkDynamic(spec);
  const { height, width } = smartResize(img.height, img.width, spec.patchSize * spec.mergeSize, spec.minPixels, spec.maxPixels);
  return resizeRgb(img, width, height, spec.resample);
}

/** Qwen2VLImageProcessor's pixel_values and image_grid_thw, with Qwen2.5-VL's rot_pos_emb ids and window partition. */
export function preprocessDynamic(img: RgbImage, spec: DynamicImageSpec): DynamicVisionInputs {
  const r = resizeDynamic(img, spec);
  const P = spec.patchSize;
  const T = spec.temporalPatchSize;
  const m = spec.mergeSize;
  const gh = r.height / P;
  const gw = r.width / P;
  const rows = gh / m;
  const cols = gw / m;
  const patches = gh * gw;
  const patchDim = 3 * T * P * P;
  const norm = normaliser(spec.mean, spec.std);
  const pixelValues = new Float32Array(patches * patchDim);
  const rotaryPosIds = new BigInt64Array(patches * 2);
  // HF's order: [t, gh/m, gw/m, m, m, C, T, P, P]; the single frame is repeated T times
  let p = 0;
  for (let bh = 0; bh < rows; bh++) {
    for (let bw = 0; bw < cols; bw++) {
      for (let mh = 0; mh < m; mh++) {
        for (let mw = 0; mw < m; mw++, p++) {
          const ph = bh * m + mh;
          const pw = bw * m + mw;
          rotaryPosIds[p * 2] = BigInt(ph);
          rotaryPosIds[p * 2 + 1] = BigInt(pw);
          let o = p * patchDim;
          for (let c = 0; c < 3; c++) {
            const start = o;
            for (let py = 0; py < P; py++) {
              let s = ((ph * P + py) * r.width + pw * P) * 3 + c;
              for (let px = 0; px < P; px++, s += 3) pixelValues[o++] = norm(r.data[s], c);
            }
            const frame = P * P;
            for (let t = 1; t < T; t++) {
              pixelValues.copyWithin(o, start, start + frame);
              o += frame;
            }
          }
        }
      }
    }
  }
  const { windowIndex, windowSeqIds } = windowPartition(rows, cols, m, spec.windowSize / (m * P));
  return { pixelValues, patches, patchDim, gridThw: [1, gh, gw], merged: { rows, cols }, rotaryPosIds, windowIndex, windowSeqIds };
}
