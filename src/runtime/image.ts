/**
 * Image input with sharp: decode (PNG, JPEG, WebP, GIF first frame, TIFF, ...), EXIF orientation,
 * alpha flattened onto white, grey/CMYK/16-bit converted to 8-bit sRGB, then the model input: version 1's
 * square resize (sharp) or version 2's Hugging Face-exact preprocessing (hf-preprocess.ts), and the vision
 * graph's feeds. Also keeps a <=1024 px PNG of the original for overlays.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import sharp, { type Metadata } from 'sharp';
import type { ImageSpecV1, ImageSpecV2 } from '../shared/bundle';
import { flattenOnWhite, preprocessDynamic, preprocessFixed } from './hf-preprocess';
import { floatTensor, type FloatTensor, type Tensor } from './tensor';

/** 100 MP: far above any real photo's need, far below what exhausts memory when decoded */
export const DEFAULT_PIXEL_LIMIT = 100_000_000;
/** encoded files above this are refused before decoding */
export const MAX_IMAGE_BYTES = 256 * 1024 * 1024;
export const PREVIEW_MAX_SIDE = 1024;

export class ImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageError';
  }
}

export interface PreparedImage {
  name: string;
  /** size after EXIF orientation */
  width: number;
  height: number;
  /** [1,3,H,W] normalised, or a dynamic image's pixel_values [patches, C*T*P*P] */
  pixels: FloatTensor;
  /** what the vision graph is fed */
  feeds: Record<string, Tensor>;
  /** the visual token grid of this image; rows*cols = N */
  grid: { rows: number; cols: number };
  /** the oriented original, downscaled to at most PREVIEW_MAX_SIDE, as PNG */
  previewPng: Buffer;
}

export interface ImageOptions {
  name?: string;
  pixelLimit?: number;
}

export async function prepareImage(
  input: string | Uint8Array,
  spec: ImageSpecV1 | ImageSpecV2,
  options: ImageOptions = {},
): Promise<PreparedImage> {
  const name = options.name ?? (typeof input === 'string' ? input : 'image');
  const bytes = typeof input === 'string' ? await readImageFile(input) : input;
  if (bytes.length === 0) throw new ImageError(`${name}: the image is empty (0 bytes)`);
  const limit = options.pixelLimit ?? DEFAULT_PIXEL_LIMIT;
  const { rgb, meta } = await decode(bytes, name, limit);
  const prepared = await modelInput(rgb, spec, name);
  // a PNG that needs no turning or shrinking is its own preview: no second encode
  const asIs = meta.format === 'png' && (meta.orientation ?? 1) === 1 && Math.max(rgb.width, rgb.height) <= PREVIEW_MAX_SIDE;
  const previewPng = asIs ? Buffer.from(bytes) : await fail(name, () => {
    let img = sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } });
    if (Math.max(rgb.width, rgb.height) > PREVIEW_MAX_SIDE) {
      img = img.resize(PREVIEW_MAX_SIDE, PREVIEW_MAX_SIDE, { fit: 'inside' });
    }
    return img.png().toBuffer();
  });
  return { name: typeof input === 'string' ? basename(input) : name, width: rgb.width, height: rgb.height, ...prepared, previewPng };
}

export interface RgbImage {
  width: number;
  height: number;
  /** 8-bit sRGB, interleaved, row-major */
  data: Buffer;
}

async function readImageFile(path: string): Promise<Buffer> {
  let size: number;
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new ImageError(`${path}: not a file`);
    size = s.size;
  } catch (err) {
    if (err instanceof ImageError) throw err;
    throw new ImageError(`${path}: cannot read the image (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  if (size > MAX_IMAGE_BYTES) throw new ImageError(`${path}: the file is ${(size / 2 ** 20).toFixed(0)} MiB, above the ${MAX_IMAGE_BYTES / 2 ** 20} MiB limit`);
  return readFile(path);
}

/** Decodes to oriented, flattened 8-bit sRGB; the first frame of animations. */
export async function decodeRgb(bytes: Uint8Array, name: string, pixelLimit = DEFAULT_PIXEL_LIMIT): Promise<RgbImage> {
  return (await decode(bytes, name, pixelLimit)).rgb;
}

async function decode(bytes: Uint8Array, name: string, pixelLimit: number): Promise<{ rgb: RgbImage; meta: Metadata }> {
  // header and pixels are read concurrently; the pixel decode is itself guarded by limitInputPixels,
  // the header only makes the error message say how large the image is
  const pixelsP = sharp(bytes, { limitInputPixels: pixelLimit, autoOrient: true, pages: 1, page: 0, failOn: 'error' })
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  pixelsP.catch(() => undefined);
  const meta = await fail(name, () => sharp(bytes, { limitInputPixels: false }).metadata());
  if (!meta.width || !meta.height) throw new ImageError(`${name}: the image has no size`);
  const pageHeight = meta.pageHeight ?? meta.height;
  if (meta.width * pageHeight > pixelLimit) {
    throw new ImageError(`${name}: the image is ${meta.width}x${pageHeight} pixels (${mp(meta.width * pageHeight)}), above the ${mp(pixelLimit)} limit`);
  }
  const { data, info } = await fail(name, () => pixelsP);
  if (info.channels === 4) {
    // alpha is flattened on white as Pillow rounds it (libvips truncates), so what the model sees is what HF's processor sees
    const flat = flattenOnWhite(data, info.width, info.height).data;
    return { rgb: { width: info.width, height: info.height, data: Buffer.from(flat.buffer, flat.byteOffset, flat.byteLength) }, meta };
  }
  if (info.channels !== 3) throw new ImageError(`${name}: decoded to ${info.channels} channels, expected 3`);
  return { rgb: { width: info.width, height: info.height, data }, meta };
}

type ModelInput = Pick<PreparedImage, 'pixels' | 'feeds' | 'grid'>;

async function modelInput(rgb: RgbImage, spec: ImageSpecV1 | ImageSpecV2, name: string): Promise<ModelInput> {
  if (!('kind' in spec)) {
    const pixels = await toModelInput(rgb, spec, name);
    return { pixels, feeds: { pixels }, grid: { ...spec.grid } };
  }
  try {
    if (spec.kind === 'fixed') {
      const r = preprocessFixed(rgb, spec);
      const pixels = floatTensor(r.pixels, [1, 3, r.height, r.width]);
      return { pixels, feeds: { pixels }, grid: { ...spec.grid } };
    }
    const d = preprocessDynamic(rgb, spec);
    const pixels = floatTensor(d.pixelValues, [d.patches, d.patchDim]);
    return {
      pixels,
      feeds: {
        pixel_values: pixels,
        rotary_pos_ids: { data: d.rotaryPosIds, shape: [d.patches, 2] },
        window_index: { data: d.windowIndex, shape: [d.windowIndex.length] },
        window_seq_ids: { data: d.windowSeqIds, shape: [d.patches] },
      },
      grid: { ...d.merged },
    };
  } catch (err) {
    throw new ImageError(`${name}: cannot prepare the ${rgb.width}x${rgb.height} image for the model (${err instanceof Error ? err.message : String(err)})`);
  }
}

async function toModelInput(rgb: RgbImage, spec: ImageSpecV1, name: string): Promise<FloatTensor> {
  const { size, mean, std } = spec;
  let data = rgb.data;
  // an image already at the model size is used as is, so it matches the reference bit for bit
  if (rgb.width !== size || rgb.height !== size) {
    data = await fail(name, () =>
      sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } })
        .resize(size, size, { fit: 'fill' })
        .raw()
        .toBuffer(),
    );
  }
  return floatTensor(normalise(data, size, mean, std), [1, 3, size, size]);
}

/** HWC uint8 -> CHW float32, (x/255 - mean) / std per channel. */
export function normalise(hwc: Uint8Array, size: number, mean: readonly number[], std: readonly number[]): Float32Array {
  const plane = size * size;
  const out = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    const m = mean[c];
    const s = std[c];
    for (let i = 0; i < plane; i++) out[c * plane + i] = (hwc[i * 3 + c] / 255 - m) / s;
  }
  return out;
}

async function fail<T>(name: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    if (err instanceof ImageError) throw err;
    const msg = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    if (/unsupported image format/i.test(msg)) throw new ImageError(`${name}: not an image format this tool can read (${msg})`);
    if (/pixel limit/i.test(msg)) throw new ImageError(`${name}: the image is above the pixel limit (${msg})`);
    throw new ImageError(`${name}: cannot decode the image (${msg})`);
  }
}

function mp(pixels: number): string {
  return `${(pixels / 1e6).toFixed(pixels < 1e6 ? 2 : 0)} MP`;
}
