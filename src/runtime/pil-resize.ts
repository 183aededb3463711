/**
 * Pillow's `Image.resize` for 8-bit RGB, bit for bit (libImaging/Resample.c): Hugging Face's slow image processors
 * resize with Pillow, and a model sees exactly those uint8 values, so any other resampler (sharp's included) would
 * shift pixels by rounding steps. Two separable passes, each with a kernel whose support widens by the downscale
 * factor, coefficients in 22-bit fixed point, and uint8 clamping between passes. Matches Pillow 13.0.
 */
import type { ResampleFilter } from '../shared/image-spec';

/** RGB interleaved, row-major, 8 bits a channel. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

interface Kernel {
  f: (x: number) => number;
  support: number;
}

// Pillow's bicubic is Keys' cubic convolution with a = -0.5
const A = -0.5;
const KERNELS: Record<ResampleFilter, Kernel> = {
  bicubic: {
    support: 2,
    f: (x) => {
      const t = x < 0 ? -x : x;
      if (t < 1) return ((A + 2) * t - (A + 3)) * t * t + 1;
      if (t < 2) return (((t - 5) * t + 8) * t - 4) * A;
      return 0;
    },
  },
  bilinear: {
    support: 1,
    f: (x) => {
      const t = x < 0 ? -x : x;
      return t < 1 ? 1 - t : 0;
    },
  },
};

// 32 bits less 8 for the value and 2 for the overshoot of negative lobes
const PRECISION_BITS = 22;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);

interface Coefficients {
  /** taps per output sample (the stride of `weights`) */
  ksize: number;
  /** per output sample: first input index, number of taps */
  bounds: Int32Array;
  /** fixed-point weights, `ksize` per output sample */
  weights: Int32Array;
}

function coefficients(inSize: number, outSize: number, kernel: Kernel): Coefficients {
  const scale = inSize / outSize;
  const filterScale = scale < 1 ? 1 : scale;
  const support = kernel.support * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Int32Array(outSize * ksize);
  const w = new Float64Array(ksize);
  const inv = 1 / filterScale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    // C's (int) cast truncates toward zero; Pillow relies on it for "round"
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let sum = 0;
    for (let x = 0; x < xmax; x++) {
      w[x] = kernel.f((x + xmin - center + 0.5) * inv);
      sum += w[x];
    }
    for (let x = 0; x < xmax; x++) {
      const k = sum !== 0 ? w[x] / sum : w[x];
      weights[xx * ksize + x] = k < 0 ? Math.trunc(-0.5 + k * ONE) : Math.trunc(0.5 + k * ONE);
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { ksize, bounds, weights };
}

function clip8(acc: number): number {
  const v = acc >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** Resamples rows [rowFrom, rowFrom+rows) of `src` along x to `outW` columns. */
function horizontal(src: Uint8Array, srcW: number, rowFrom: number, rows: number, outW: number, c: Coefficients): Uint8Array {
  const out = new Uint8Array(outW * rows * 3);
  const { ksize, bounds, weights } = c;
  for (let y = 0; y < rows; y++) {
    const rowBase = (y + rowFrom) * srcW * 3;
    const outBase = y * outW * 3;
    for (let xx = 0; xx < outW; xx++) {
      const xmin = bounds[xx * 2];
      const n = bounds[xx * 2 + 1];
      const k0 = xx * ksize;
      let r = HALF, g = HALF, b = HALF;
      let p = rowBase + xmin * 3;
      for (let x = 0; x < n; x++, p += 3) {
        const k = weights[k0 + x];
        r += src[p] * k;
        g += src[p + 1] * k;
        b += src[p + 2] * k;
      }
      const o = outBase + xx * 3;
      out[o] = clip8(r);
      out[o + 1] = clip8(g);
      out[o + 2] = clip8(b);
    }
  }
  return out;
}

/** Resamples `src` (width w) along y to `outH` rows; `rowShift` is the first source row `src` holds. */
function vertical(src: Uint8Array, w: number, outH: number, c: Coefficients, rowShift: number): Uint8Array {
  const out = new Uint8Array(w * outH * 3);
  const { ksize, bounds, weights } = c;
  const stride = w * 3;
  for (let yy = 0; yy < outH; yy++) {
    const ymin = bounds[yy * 2] - rowShift;
    const n = bounds[yy * 2 + 1];
    const k0 = yy * ksize;
    const outBase = yy * stride;
    for (let i = 0; i < stride; i++) {
      let acc = HALF;
      let p = ymin * stride + i;
      for (let y = 0; y < n; y++, p += stride) acc += src[p] * weights[k0 + y];
      out[outBase + i] = clip8(acc);
    }
  }
  return out;
}

function checkImage(img: RgbImage, what: string): void {
  if (!Number.isInteger(img.width) || !Number.isInteger(img.height) || img.width < 1 || img.height < 1) {
    throw new RangeError(`${what}: size ${img.width}x${img.height} is not a positive integer size`);
  }
  if (img.data.length !== img.width * img.height * 3) {
    throw new RangeError(`${what}: ${img.data.length} bytes for ${img.width}x${img.height} RGB, expected ${img.width * img.height * 3}`);
  }
}

/** Pillow-exact `Image.resize((width, height), BICUBIC | BILINEAR)` of an RGB image. */
export function resizeRgb(img: RgbImage, width: number, height: number, filter: ResampleFilter): RgbImage {
  checkImage(img, 'resizeRgb input');
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`resizeRgb: target size ${width}x${height} is not a positive integer size`);
  }
  const kernel = KERNELS[filter];
  if (!kernel) throw new RangeError(`resizeRgb: unknown filter "${String(filter)}" (bicubic or bilinear)`);
  const needH = width !== img.width;
  const needV = height !== img.height;
  if (!needH && !needV) return { width, height, data: img.data.slice() };
  const vc = coefficients(img.height, height, kernel);
  // Pillow 13 (python-pillow/Pillow#9549) runs the vertical pass first when the height shrinks by more than
  // twice what the width does; the uint8 rounding between passes makes the order visible in the result
  if (needH && height < img.height && img.height - height > 2 * (img.width - width)) {
    const tall = vertical(img.data, img.width, height, vc, 0);
    return { width, height, data: horizontal(tall, img.width, 0, height, width, coefficients(img.width, width, kernel)) };
  }
  let data = img.data;
  let rowShift = 0;
  if (needH) {
    // only the rows the vertical pass reads, as Pillow does
    const first = vc.bounds[0];
    const last = vc.bounds[height * 2 - 2] + vc.bounds[height * 2 - 1];
    const rows = needV ? last - first : img.height;
    rowShift = needV ? first : 0;
    data = horizontal(img.data, img.width, rowShift, rows, width, coefficients(img.width, width, kernel));
  }
  if (needV) data = vertical(data, width, height, vc, rowShift);
  return { width, height, data };
}
