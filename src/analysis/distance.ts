/**
 * The one distance between latent tokens (and to visual tokens) that the runtime's loops, the
 * studies and the panel share, accumulated in float64 so a trace and a report agree. Pure.
 */
import type { StepDistance } from '../shared/trace';

export type DistanceMetric = keyof StepDistance;
export const DISTANCE_METRICS: DistanceMetric[] = ['cosine', 'l1', 'l2'];

/** cosine similarity of `a` to the `a.length` values of `b` from `bOffset` */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>, bOffset = 0): number {
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

/** d_t between a latent token and the previous one by each metric: cosine distance (1 - cos), L1, L2 */
export function stepDistance(current: ArrayLike<number>, previous: ArrayLike<number>): StepDistance {
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

export function l2Distance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`vectors differ in size: ${a.length} vs ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    s += d * d;
  }
  return Math.sqrt(s);
}
