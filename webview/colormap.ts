/**
 * Colour maps as 256-entry RGB lookup tables. Viridis, magma and inferno are interpolated from
 * matplotlib's values at nine evenly spaced points; turbo uses Google's published polynomial fit.
 */
export const COLOR_MAPS = ['viridis', 'magma', 'inferno', 'turbo', 'gray'] as const;
export type ColorMapName = (typeof COLOR_MAPS)[number];

type Rgb = [number, number, number];

const ANCHORS: Record<'viridis' | 'magma' | 'inferno', Rgb[]> = {
  viridis: [[68, 1, 84], [72, 40, 120], [62, 73, 137], [49, 104, 142], [38, 130, 142],
    [31, 158, 137], [53, 183, 121], [110, 206, 88], [253, 231, 37]],
  magma: [[0, 0, 4], [28, 16, 68], [79, 18, 123], [129, 37, 129], [181, 54, 122],
    [229, 80, 100], [251, 135, 97], [254, 194, 135], [252, 253, 191]],
  inferno: [[0, 0, 4], [31, 12, 72], [85, 15, 109], [136, 34, 106], [186, 54, 85],
    [227, 89, 51], [249, 142, 9], [248, 201, 49], [252, 255, 164]],
};

function interpolate(anchors: Rgb[], t: number): Rgb {
  const x = t * (anchors.length - 1);
  const i = Math.min(Math.floor(x), anchors.length - 2);
  const f = x - i;
  const a = anchors[i];
  const b = anchors[i + 1];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

function turbo(t: number): Rgb {
  const r = 0.13572138 + t * (4.6153926 + t * (-42.66032258 + t * (132.13108234 + t * (-152.94239396 + t * 59.28637943))));
  const g = 0.09140261 + t * (2.19418839 + t * (4.84296658 + t * (-14.18503333 + t * (4.27729857 + t * 2.82956604))));
  const b = 0.1066733 + t * (12.64194608 + t * (-60.58204836 + t * (110.36276771 + t * (-89.90310912 + t * 27.34824973))));
  return [r * 255, g * 255, b * 255];
}

const cache = new Map<ColorMapName, Uint8ClampedArray>();

/** The lookup table of a colour map: 256 RGB triples, index = round(t * 255). */
export function colorMapLut(name: ColorMapName): Uint8ClampedArray {
  const hit = cache.get(name);
  if (hit) return hit;
  if (!COLOR_MAPS.includes(name)) throw new RangeError(`unknown colour map "${name}"`);
  const lut = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = i / 255;
    const rgb: Rgb = name === 'turbo' ? turbo(t) : name === 'gray' ? [t * 255, t * 255, t * 255] : interpolate(ANCHORS[name], t);
    lut[i * 3] = Math.round(rgb[0]);
    lut[i * 3 + 1] = Math.round(rgb[1]);
    lut[i * 3 + 2] = Math.round(rgb[2]);
  }
  cache.set(name, lut);
  return lut;
}

/** The colour of t in [0, 1] (clamped) as a CSS rgb() string, for legends and SVG. */
export function cssColor(name: ColorMapName, t: number): string {
  const lut = colorMapLut(name);
  const i = Math.round(Math.min(1, Math.max(0, t)) * 255) * 3;
  return `rgb(${lut[i]}, ${lut[i + 1]}, ${lut[i + 2]})`;
}
