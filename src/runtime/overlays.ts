/**
 * PNG renderings of a trace for the CLI's --out folder: the saliency heatmap over the image with the
 * chosen window outlined, and each step's reconstruction.
 */
import sharp from 'sharp';
import type { WindowBox } from '../shared/trace';
import type { Grid } from './window';

/** A perceptually ordered dark-to-bright ramp (inferno-like), RGB stops evenly spaced in [0, 1]. */
const RAMP: [number, number, number][] = [
  [0, 0, 4], [40, 11, 84], [101, 21, 110], [159, 42, 99], [212, 72, 66], [245, 125, 21], [250, 193, 39], [252, 255, 164],
];

export function heatColour(v: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, v)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - i;
  const a = RAMP[i];
  const b = RAMP[i + 1];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

export interface OverlayOptions {
  /** output width in pixels */
  width?: number;
  /** heatmap opacity */
  alpha?: number;
}

export async function saliencyOverlayPng(
  imagePng: Uint8Array, saliency: Float32Array, grid: Grid, window: WindowBox | null, options: OverlayOptions = {},
): Promise<Buffer> {
  const width = options.width ?? 256;
  const alpha = options.alpha ?? 0.55;
  const { data, info } = await sharp(imagePng).resize({ width, kernel: 'nearest' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const h = info.height;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of saliency) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const span = hi - lo || 1;
  const out = Buffer.from(data);
  for (let y = 0; y < h; y++) {
    const r = Math.min(grid.rows - 1, Math.floor((y / h) * grid.rows));
    for (let x = 0; x < width; x++) {
      const c = Math.min(grid.cols - 1, Math.floor((x / width) * grid.cols));
      const [cr, cg, cb] = heatColour((saliency[r * grid.cols + c] - lo) / span);
      const k = (y * width + x) * 3;
      out[k] = out[k] * (1 - alpha) + cr * alpha;
      out[k + 1] = out[k + 1] * (1 - alpha) + cg * alpha;
      out[k + 2] = out[k + 2] * (1 - alpha) + cb * alpha;
    }
  }
  if (window) {
    const x0 = Math.round((window.col / grid.cols) * width);
    const x1 = Math.round(((window.col + window.size) / grid.cols) * width) - 1;
    const y0 = Math.round((window.row / grid.rows) * h);
    const y1 = Math.round(((window.row + window.size) / grid.rows) * h) - 1;
    const put = (x: number, y: number) => {
      if (x < 0 || y < 0 || x >= width || y >= h) return;
      const k = (y * width + x) * 3;
      out[k] = 0;
      out[k + 1] = 255;
      out[k + 2] = 255;
    };
    for (let t = 0; t < 2; t++) {
      for (let x = x0; x <= x1; x++) {
        put(x, y0 + t);
        put(x, y1 - t);
      }
      for (let y = y0; y <= y1; y++) {
        put(x0 + t, y);
        put(x1 - t, y);
      }
    }
  }
  return sharp(out, { raw: { width, height: h, channels: 3 } }).png().toBuffer();
}

/** Step `index` (0-based) of reconstructions [steps*C*size*size] in [-1, 1], as a PNG upscaled by `scale`. */
export async function reconstructionPng(pixels: Float32Array, index: number, channels: number, size: number, scale = 4): Promise<Buffer> {
  const plane = size * size;
  const base = index * channels * plane;
  if (base + channels * plane > pixels.length) throw new RangeError(`no reconstruction for step ${index + 1}`);
  const rgb = Buffer.alloc(plane * 3);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      const v = pixels[base + Math.min(c, channels - 1) * plane + i];
      rgb[i * 3 + c] = Math.round((Math.min(1, Math.max(-1, v)) + 1) * 127.5);
    }
  }
  return sharp(rgb, { raw: { width: size, height: size, channels: 3 } })
    .resize(size * scale, size * scale, { kernel: 'nearest' })
    .png()
    .toBuffer();
}
