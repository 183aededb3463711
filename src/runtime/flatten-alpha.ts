/**
 * RGBA to RGB on a white background, rounded as Pillow's `Image.alpha_composite(white, im)` rounds it:
 * round((c*a + 255*(255-a)) / 255). (libvips' flatten, which sharp uses, truncates instead, one level darker on
 * about a fifth of the half-transparent values.)
 */
import type { RgbImage } from './pil-resize';

export function flattenOnWhite(rgba: Uint8Array, width: number, height: number): RgbImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`flattenOnWhite: size ${width}x${height} is not a positive integer size`);
  }
  const n = width * height;
  if (rgba.length !== n * 4) throw new RangeError(`flattenOnWhite: ${rgba.length} bytes for ${width}x${height} RGBA, expected ${n * 4}`);
  const data = new Uint8Array(n * 3);
  for (let p = 0; p < n; p++) {
    const a = rgba[p * 4 + 3];
    const white = 255 * (255 - a);
    // (x + 127) / 255 floored is x / 255 rounded: with an odd divisor there are no ties
    for (let c = 0; c < 3; c++) data[p * 3 + c] = Math.floor((rgba[p * 4 + c] * a + white + 127) / 255);
  }
  return { width, height, data };
}
