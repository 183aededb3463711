/** Similarities of a latent token to the visual tokens, and their mean, accumulated in float64. Pure. */
import { cosineSimilarity } from '../analysis/distance';

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
