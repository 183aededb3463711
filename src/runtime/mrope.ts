/**
 * Qwen2.5-VL's multimodal RoPE positions (`get_rope_index`) for a prompt with at most one image (t = 1): text
 * advances by 1 on all three axes; the image's merged-grid cell (i, j) takes (0, i, j) plus the text position
 * before it; text after the image continues from the largest position so far plus one.
 */

/**
 * `positionIds` is [3, length], axis-major (t, h, w); `next` is the position the first token added after the
 * prompt takes (HF: max + 1, which is also where its rope delta sends every later token), on all three axes.
 */
export function mropePositionIds(
  length: number,
  imageOffset: number,
  merged: { rows: number; cols: number } | null,
): { positionIds: BigInt64Array; next: number } {
  if (!Number.isInteger(length) || length < 0) throw new RangeError(`mropePositionIds: length must be a non-negative integer, got ${length}`);
  const positionIds = new BigInt64Array(3 * length);
  const put = (s: number, t: number, h: number, w: number) => {
    positionIds[s] = BigInt(t);
    positionIds[length + s] = BigInt(h);
    positionIds[2 * length + s] = BigInt(w);
  };
  if (merged === null) {
    for (let s = 0; s < length; s++) put(s, s, s, s);
    return { positionIds, next: length };
  }
  const { rows, cols } = merged;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw new RangeError(`mropePositionIds: merged grid ${rows}x${cols} is not a positive integer grid`);
  }
  const n = rows * cols;
  if (!Number.isInteger(imageOffset) || imageOffset < 0 || imageOffset + n > length) {
    throw new RangeError(`mropePositionIds: ${n} image positions at offset ${imageOffset} do not fit in ${length} positions`);
  }
  for (let s = 0; s < imageOffset; s++) put(s, s, s, s);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) put(imageOffset + i * cols + j, imageOffset, imageOffset + i, imageOffset + j);
  }
  let next = imageOffset + Math.max(rows, cols);
  for (let s = imageOffset + n; s < length; s++, next++) put(s, next, next, next);
  return { positionIds, next };
}
