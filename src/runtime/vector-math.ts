/** Distances and similarities between latent tokens and visual tokens, accumulated in float64. Pure. */
import type { StepDistance } from '../shared/trace';

export function cosineSimilarity(a: Float32Array, b: Float32Array, bOffset = 0): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[bOffset + i];
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  const denom = Math.sqrt(na) * Math.sqrt(nb);
  // a zero vector (e.g. a zeroed latent step) has no direction: similarity 0 by convention
  return denom === 0 ? 0 : dot / denom;
}

export function stepDistance(current: Float32Array, previous: Float32Array): StepDistance {
  if (current.length !== previous.length) throw new RangeError(`latent tokens differ in size: ${current.length} vs ${previous.length}`);
  let l1 = 0;
  let l2 = 0;
  for (let i = 0; i < current.length; i++) {
    const d = current[i] - previous[i];
    l1 += Math.abs(d);
    l2 += d * d;
  }
  return { cosine: 1 - cosineSimilarity(current, previous), l1, l2: Math.sqrt(l2) };
}

export function l2Distance(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    s += d * d;
  }
  return Math.sqrt(s);
}

/** Cosine similarity of `token` [D] to each of the `count` rows of `tokens` [count*D]. */
export function similarityToEach(token: Float32Array, tokens: Float32Array, count: number): Float32Array {
  const dim = token.length;
  if (tokens.length !== count * dim) throw new RangeError(`expected ${count}x${dim} values, got ${tokens.length}`);
  const out = new Float32Array(count);
  for (let n = 0; n < count; n++) out[n] = cosineSimilarity(token, tokens, n * dim);
  return out;
}

/** Mean of `count` rows of `rows` [count*D]. */
export function meanRows(rows: Float32Array, count: number): Float32Array {
  const dim = rows.length / count;
  const out = new Float32Array(dim);
  const acc = new Float64Array(dim);
  for (let n = 0; n < count; n++) for (let i = 0; i < dim; i++) acc[i] += rows[n * dim + i];
  for (let i = 0; i < dim; i++) out[i] = acc[i] / count;
  return out;
}
