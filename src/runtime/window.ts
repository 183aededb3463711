/**
 * LaRe's attention-saliency sliding window (paper §3.1, docs/bundle-format.md step 2): saliency over
 * the visual grid from the newest position's attention, sum-pooling over every window, the first
 * maximum in row-major order, and the window's local features. Pure.
 */
import type { WindowBox } from '../shared/trace';

export interface Grid {
  rows: number;
  cols: number;
}

/**
 * Mean over `layers` of the newest position's attention restricted to the visual positions.
 * `attention` is the decoder output [L,1,K] (K = all positions so far); visual tokens sit at
 * positions imageOffset..imageOffset+N-1.
 */
export function saliencyFromAttention(
  attention: Float32Array, totalPositions: number, layers: readonly number[], imageOffset: number, visualTokens: number,
): Float32Array {
  if (attention.length % totalPositions !== 0) {
    throw new RangeError(`attention has ${attention.length} values, not a multiple of ${totalPositions} positions`);
  }
  if (imageOffset + visualTokens > totalPositions) throw new RangeError('visual positions lie outside the attention row');
  const out = new Float32Array(visualTokens);
  for (let i = 0; i < visualTokens; i++) {
    let s = 0;
    for (const l of layers) s += attention[l * totalPositions + imageOffset + i];
    out[i] = s / layers.length;
  }
  return out;
}

export interface WindowChoice {
  window: WindowBox;
  /** sum-pooled saliency of every window position, row-major over [(rows-size)/stride+1, (cols-size)/stride+1] */
  scores: Float32Array;
  scoreRows: number;
  scoreCols: number;
}

export function chooseWindow(saliency: Float32Array, grid: Grid, size: number, stride: number): WindowChoice {
  const { rows, cols } = grid;
  if (saliency.length !== rows * cols) throw new RangeError(`saliency has ${saliency.length} values, grid is ${rows}x${cols}`);
  if (size > rows || size > cols) throw new RangeError(`window ${size} does not fit the ${rows}x${cols} grid`);
  const scoreRows = Math.floor((rows - size) / stride) + 1;
  const scoreCols = Math.floor((cols - size) / stride) + 1;
  const scores = new Float32Array(scoreRows * scoreCols);
  let best = 0;
  for (let r = 0; r < scoreRows; r++) {
    for (let c = 0; c < scoreCols; c++) {
      let s = 0;
      for (let i = 0; i < size; i++) {
        const base = (r * stride + i) * cols + c * stride;
        for (let j = 0; j < size; j++) s += saliency[base + j];
      }
      const k = r * scoreCols + c;
      scores[k] = s;
      if (scores[k] > scores[best]) best = k;
    }
  }
  const row = Math.floor(best / scoreCols) * stride;
  const col = (best % scoreCols) * stride;
  return { window: { row, col, size }, scores, scoreRows, scoreCols };
}

/** Indices of the window's patches on the grid, row-major. */
export function windowPatches(window: WindowBox, grid: Grid): number[] {
  const out: number[] = [];
  for (let i = 0; i < window.size; i++) {
    for (let j = 0; j < window.size; j++) out.push((window.row + i) * grid.cols + window.col + j);
  }
  return out;
}

/** `local_features` rows of the window's patches: [size*size*D]. */
export function gatherWindowFeatures(localFeatures: Float32Array, dim: number, window: WindowBox, grid: Grid): Float32Array {
  const patches = windowPatches(window, grid);
  const out = new Float32Array(patches.length * dim);
  patches.forEach((p, k) => out.set(localFeatures.subarray(p * dim, (p + 1) * dim), k * dim));
  return out;
}
