/**
 * Pure pixel work: grid values to RGBA through a colour map, reconstructions to RGBA.
 */
import { toUnit, type ValueRange } from './normalise';

/**
 * Writes one RGBA pixel per grid cell into `out` (length cells*4). NaN cells, and every cell when
 * the range is null, are transparent; opacity is applied when compositing, not here. With `fade` a
 * cell's alpha grows with its value as sqrt(t) (the range's low end fully transparent, the middle
 * already clearly coloured), so low attention leaves the image as it is instead of tinting all of it.
 */
export function rasteriseGrid(values: ArrayLike<number>, range: ValueRange | null, lut: Uint8ClampedArray, out: Uint8ClampedArray, fade = false): void {
  if (out.length !== values.length * 4) {
    throw new RangeError(`raster buffer holds ${out.length / 4} pixels, the grid has ${values.length}`);
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const o = i * 4;
    if (range === null || !Number.isFinite(v)) {
      out[o + 3] = 0;
      continue;
    }
    const t = toUnit(v, range);
    const k = Math.round(t * 255) * 3;
    out[o] = lut[k];
    out[o + 1] = lut[k + 1];
    out[o + 2] = lut[k + 2];
    out[o + 3] = fade ? Math.round(Math.sqrt(t) * 255) : 255;
  }
}

/**
 * One step's reconstruction ([channels, size, size] planar, values in [-1, 1]) as RGBA bytes.
 * One channel is drawn grey; three are RGB.
 */
export function reconstructionRgba(pixels: Float32Array, step: number, channels: number, size: number): Uint8ClampedArray<ArrayBuffer> {
  if (channels !== 1 && channels !== 3) throw new RangeError(`reconstructions with ${channels} channels cannot be drawn`);
  const plane = size * size;
  const base = step * channels * plane;
  if (base + channels * plane > pixels.length) {
    throw new RangeError(`reconstruction of step ${step} is beyond the ${pixels.length} values sent`);
  }
  const out = new Uint8ClampedArray(plane * 4);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) {
      const v = pixels[base + (channels === 1 ? 0 : c) * plane + p];
      out[p * 4 + c] = Math.round(((Math.max(-1, Math.min(1, v)) + 1) / 2) * 255);
    }
    out[p * 4 + 3] = 255;
  }
  return out;
}
