/** Per-feature standardisation fitted on training rows only (scikit-learn's StandardScaler). */
export interface Scaler {
  mean: Float64Array;
  scale: Float64Array;
}

export function fitScaler(x: Float64Array, dim: number, rows?: ArrayLike<number>): Scaler {
  const count = rows ? rows.length : x.length / dim;
  const rowAt = (k: number) => (rows ? rows[k] : k);
  const mean = new Float64Array(dim);
  const scale = new Float64Array(dim);
  for (let k = 0; k < count; k++) {
    const base = rowAt(k) * dim;
    for (let d = 0; d < dim; d++) mean[d] += x[base + d];
  }
  for (let d = 0; d < dim; d++) mean[d] /= count;
  for (let k = 0; k < count; k++) {
    const base = rowAt(k) * dim;
    for (let d = 0; d < dim; d++) {
      const c = x[base + d] - mean[d];
      scale[d] += c * c;
    }
  }
  // population std as StandardScaler; a constant feature keeps scale 1 instead of dividing by zero
  for (let d = 0; d < dim; d++) {
    const s = Math.sqrt(scale[d] / count);
    scale[d] = s > 0 ? s : 1;
  }
  return { mean, scale };
}

export function applyScaler(scaler: Scaler, x: Float64Array, dim: number, rows?: ArrayLike<number>): Float64Array {
  const count = rows ? rows.length : x.length / dim;
  const out = new Float64Array(count * dim);
  for (let k = 0; k < count; k++) {
    const base = (rows ? rows[k] : k) * dim;
    for (let d = 0; d < dim; d++) out[k * dim + d] = (x[base + d] - scaler.mean[d]) / scaler.scale[d];
  }
  return out;
}
