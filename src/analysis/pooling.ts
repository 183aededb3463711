/**
 * Hybrid mean-max pooling (LaRe appendix B): a set of token vectors [count * dim] becomes one vector
 * [2 * dim] = concat(mean over tokens, max over tokens). Used for latent tokens, rationale-text
 * hidden states and visual anchors alike.
 */
export function meanMaxPool(tokens: ArrayLike<number>, count: number, dim: number): Float32Array {
  if (count <= 0) throw new RangeError('mean-max pooling needs at least one token');
  if (tokens.length !== count * dim) {
    throw new RangeError(`mean-max pooling: ${tokens.length} values is not ${count} tokens of dimension ${dim}`);
  }
  const out = new Float32Array(2 * dim);
  const sums = new Float64Array(dim);
  const maxima = new Float64Array(dim).fill(-Infinity);
  for (let t = 0; t < count; t++) {
    const base = t * dim;
    for (let d = 0; d < dim; d++) {
      const v = tokens[base + d];
      sums[d] += v;
      if (v > maxima[d]) maxima[d] = v;
    }
  }
  for (let d = 0; d < dim; d++) {
    out[d] = sums[d] / count;
    out[dim + d] = maxima[d];
  }
  return out;
}

/** the visual tokens selected by a patch mask, stacked [selected * dim] */
export function selectTokens(tokens: ArrayLike<number>, dim: number, mask: ArrayLike<boolean | number>): { tokens: Float32Array; count: number } {
  let count = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) count++;
  const out = new Float32Array(count * dim);
  let k = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    for (let d = 0; d < dim; d++) out[k * dim + d] = tokens[i * dim + d];
    k++;
  }
  return { tokens: out, count };
}

/**
 * Patches of a rows x cols grid that a pixel box [x0, y0, x1, y1) (x1, y1 exclusive) overlaps on an
 * image of width x height pixels; the same rule as training/data.py bbox_patch_mask.
 */
export function bboxPatchMask(bbox: [number, number, number, number], width: number, height: number, rows: number, cols: number): Uint8Array {
  const [x0, y0, x1, y1] = bbox;
  if (!(x1 > x0 && y1 > y0)) throw new RangeError(`bbox [${bbox.join(', ')}] is empty`);
  const patchW = width / cols;
  const patchH = height / rows;
  const c0 = clamp(Math.floor(x0 / patchW), 0, cols - 1);
  const c1 = clamp(Math.floor((x1 - 1) / patchW), 0, cols - 1);
  const r0 = clamp(Math.floor(y0 / patchH), 0, rows - 1);
  const r1 = clamp(Math.floor((y1 - 1) / patchH), 0, rows - 1);
  const mask = new Uint8Array(rows * cols);
  for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) mask[r * cols + c] = 1;
  return mask;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), hi);
}
