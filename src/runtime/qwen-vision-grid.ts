/**
 * Qwen2-VL's image grid arithmetic: `smart_resize` (Qwen2VLImageProcessor) and the window partition of
 * Qwen2.5-VL's vision transformer (`get_window_index`), as the integer tensors the dynamic vision graph takes.
 */

/** Python's round(): ties go to the even neighbour, which smart_resize inherits. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Qwen2VLImageProcessor's smart_resize: both sides multiples of `factor`, the area within [minPixels, maxPixels]. */
export function smartResize(height: number, width: number, factor: number, minPixels: number, maxPixels: number): { height: number; width: number } {
  for (const [v, name] of [[height, 'height'], [width, 'width'], [factor, 'factor']] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`smartResize: ${name} must be a positive integer, got ${v}`);
  }
  const ratio = Math.max(height, width) / Math.min(height, width);
  if (ratio > 200) throw new RangeError(`smartResize: a ${width}x${height} image has aspect ratio ${ratio.toFixed(1)}, above the 200 the model accepts`);
  let h = roundHalfEven(height / factor) * factor;
  let w = roundHalfEven(width / factor) * factor;
  if (h * w > maxPixels) {
    const beta = Math.sqrt((height * width) / maxPixels);
    h = Math.max(factor, Math.floor(height / beta / factor) * factor);
    w = Math.max(factor, Math.floor(width / beta / factor) * factor);
  } else if (h * w < minPixels) {
    const beta = Math.sqrt(minPixels / (height * width));
    h = Math.ceil((height * beta) / factor) * factor;
    w = Math.ceil((width * beta) / factor) * factor;
  }
  return { height: h, width: w };
}

/**
 * get_window_index for one image (t = 1): merged units are grouped into windows of `window` x `window` units,
 * windows row-major, units row-major inside each; edge windows are partial. `windowSeqIds` numbers the windows of
 * each patch in that permuted order (empty windows, which HF drops with unique_consecutive, take no number).
 */
export function windowPartition(rows: number, cols: number, mergeSize: number, window: number): { windowIndex: BigInt64Array; windowSeqIds: BigInt64Array } {
  const unit = mergeSize * mergeSize;
  const windowIndex = new BigInt64Array(rows * cols);
  const windowSeqIds = new BigInt64Array(rows * cols * unit);
  const windowsH = Math.ceil(rows / window);
  const windowsW = Math.ceil(cols / window);
  let i = 0;
  let id = 0;
  for (let wh = 0; wh < windowsH; wh++) {
    for (let ww = 0; ww < windowsW; ww++) {
      const r1 = Math.min(rows, (wh + 1) * window);
      const c1 = Math.min(cols, (ww + 1) * window);
      const start = i;
      for (let r = wh * window; r < r1; r++) {
        for (let c = ww * window; c < c1; c++) windowIndex[i++] = BigInt(r * cols + c);
      }
      if (i > start) {
        windowSeqIds.fill(BigInt(id), start * unit, i * unit);
        id++;
      }
    }
  }
  return { windowIndex, windowSeqIds };
}
