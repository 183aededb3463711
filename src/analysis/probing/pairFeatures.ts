/**
 * What the classifier sees of a (latent, target) pair, from the two projected, L2-normalised vectors
 * u and v. 'product': u * v elementwise, so a linear probe computes a learned weighted cosine;
 * 'product-absdiff': [u * v, |u - v|]; 'concat': [u, v], which a linear probe cannot use to judge a
 * match (it only sees each side alone) and so serves as a check that matching needs interaction.
 */
export type PairView = 'product' | 'product-absdiff' | 'concat';

export function pairFeatureDim(view: PairView, dim: number): number {
  return view === 'product' ? dim : 2 * dim;
}

export function pairFeatures(view: PairView, u: Float64Array, v: Float64Array, out: Float64Array, offset: number): void {
  const dim = u.length;
  for (let i = 0; i < dim; i++) {
    if (view === 'concat') {
      out[offset + i] = u[i];
      out[offset + dim + i] = v[i];
    } else {
      out[offset + i] = u[i] * v[i];
      if (view === 'product-absdiff') out[offset + dim + i] = Math.abs(u[i] - v[i]);
    }
  }
}
