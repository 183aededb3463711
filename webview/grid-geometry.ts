/**
 * Mapping between the visual-token grid (row-major patches) and canvas pixels.
 */
import type { WindowBox } from '../src/shared/trace';
import { WHOLE_IMAGE, type GridRegion } from '../src/shared/trace-region';

export interface Grid {
  rows: number;
  cols: number;
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Patch {
  row: number;
  col: number;
  /** row-major index into the grid's values */
  index: number;
}

/** The pixel rectangle the grid covers on a width x height drawing of the image (the whole of it by default). */
export function regionRect(region: GridRegion | undefined, width: number, height: number): Rect {
  const r = region ?? WHOLE_IMAGE;
  return { x: r.x * width, y: r.y * height, w: r.width * width, h: r.height * height };
}

/** A window's rectangle inside the grid's rectangle `area` (a window in patches, the area in pixels). */
export function windowInRegion(window: WindowBox, grid: Grid, area: Rect): Rect {
  const r = windowRect(window, grid, area.w, area.h);
  return { x: area.x + r.x, y: area.y + r.y, w: r.w, h: r.h };
}

/** The pixel rectangle of a window (in patches) on a canvas of width x height. */
export function windowRect(window: WindowBox, grid: Grid, width: number, height: number): Rect {
  const cw = width / grid.cols;
  const ch = height / grid.rows;
  return { x: window.col * cw, y: window.row * ch, w: window.size * cw, h: window.size * ch };
}

/** The patch under canvas point (x, y), or null outside the canvas. */
export function patchAt(x: number, y: number, grid: Grid, width: number, height: number): Patch | null {
  if (!(x >= 0 && y >= 0 && x < width && y < height)) return null;
  const col = Math.min(grid.cols - 1, Math.floor((x / width) * grid.cols));
  const row = Math.min(grid.rows - 1, Math.floor((y / height) * grid.rows));
  return { row, col, index: row * grid.cols + col };
}

/**
 * Spreads the Extractor's cross-attention (per layer, size*size, row-major inside the window) onto
 * the full grid: mean over layers inside the window, NaN outside it.
 */
export function extractorAttentionOnGrid(attention: Float32Array, window: WindowBox, grid: Grid): Float32Array {
  const per = window.size * window.size;
  if (attention.length === 0 || attention.length % per !== 0) {
    throw new RangeError(`extractor attention has ${attention.length} values, not a multiple of ${per}`);
  }
  if (window.row + window.size > grid.rows || window.col + window.size > grid.cols) {
    throw new RangeError(`window at (${window.row}, ${window.col}) size ${window.size} exceeds the ${grid.rows}x${grid.cols} grid`);
  }
  const layers = attention.length / per;
  const out = new Float32Array(grid.rows * grid.cols).fill(NaN);
  for (let r = 0; r < window.size; r++) {
    for (let c = 0; c < window.size; c++) {
      let sum = 0;
      for (let l = 0; l < layers; l++) sum += attention[l * per + r * window.size + c];
      out[(window.row + r) * grid.cols + window.col + c] = sum / layers;
    }
  }
  return out;
}

/**
 * The integer factor a small image is drawn at, so that a 64 px model input does not turn into a
 * blur when the browser scales the canvas up; images of `minSide` px or more are drawn 1:1.
 */
export function renderScale(width: number, height: number, minSide = 768): number {
  const side = Math.max(width, height);
  if (!(side > 0)) throw new RangeError(`image size ${width}x${height} is empty`);
  return Math.max(1, Math.ceil(minSide / side));
}

/** The largest size with the aspect of width x height that fits in maxWidth x maxHeight. */
export function fitSize(width: number, height: number, maxWidth: number, maxHeight: number): { width: number; height: number } {
  const s = Math.max(0, Math.min(maxWidth / width, maxHeight / height));
  return { width: Math.floor(width * s), height: Math.floor(height * s) };
}

/** A box in original image pixels (x0, y0, x1, y1) on a width x height drawing of that image. */
export function bboxRect(bbox: readonly [number, number, number, number], imageWidth: number, imageHeight: number, width: number, height: number): Rect {
  const sx = width / imageWidth;
  const sy = height / imageHeight;
  return { x: bbox[0] * sx, y: bbox[1] * sy, w: (bbox[2] - bbox[0]) * sx, h: (bbox[3] - bbox[1]) * sy };
}

/** The pixel rectangle of patch `index` inside the grid's rectangle `area`. */
export function patchRect(index: number, grid: Grid, area: Rect): Rect {
  const cw = area.w / grid.cols;
  const ch = area.h / grid.rows;
  return { x: area.x + (index % grid.cols) * cw, y: area.y + Math.floor(index / grid.cols) * ch, w: cw, h: ch };
}
