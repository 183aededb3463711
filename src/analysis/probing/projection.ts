/**
 * The 256-d projection of pooled vectors, followed by L2 normalisation (LaRe appendix B).
 * 'random': a fixed seeded Gaussian matrix with N(0, 1/k) entries, the same matrix for both sides of a
 * pair when their dimensions agree, so inner products and cosines survive (Johnson-Lindenstrauss) and
 * nothing in the projection can learn the matching task itself.
 */
import type { Random } from '../random';

export interface Projection {
  inputDim: number;
  outputDim: number;
  /** [inputDim * outputDim] */
  matrix: Float64Array;
}

export function randomProjection(inputDim: number, outputDim: number, random: Random): Projection {
  const matrix = new Float64Array(inputDim * outputDim);
  const scale = 1 / Math.sqrt(outputDim);
  for (let i = 0; i < matrix.length; i++) matrix[i] = random.normal() * scale;
  return { inputDim, outputDim, matrix };
}

/** projects one vector and L2-normalises it (a zero vector stays zero) */
export function projectNormalize(p: Projection, v: ArrayLike<number>): Float64Array {
  if (v.length !== p.inputDim) throw new RangeError(`projection expects dimension ${p.inputDim}, got ${v.length}`);
  const out = new Float64Array(p.outputDim);
  for (let i = 0; i < p.inputDim; i++) {
    const x = v[i];
    if (x === 0) continue;
    const base = i * p.outputDim;
    for (let j = 0; j < p.outputDim; j++) out[j] += x * p.matrix[base + j];
  }
  return l2Normalize(out);
}

export function l2Normalize(v: Float64Array): Float64Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const norm = Math.sqrt(s);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i] /= norm;
  return v;
}
