/** Input checking shared by every statistic: what a sample is and which values it may hold. */
export type Sample = ArrayLike<number>;

/**
 * NaN has no defined rank or order, so every test rejects it with the sample's name and the index
 * (SciPy's mannwhitneyu does the same). Infinities are allowed and follow IEEE arithmetic like NumPy.
 */
export function assertNoNaN(sample: Sample, name: string): void {
  for (let i = 0; i < sample.length; i++) {
    if (Number.isNaN(sample[i])) throw new RangeError(`sample ${name} has NaN at index ${i}`);
  }
}

export function assertNonEmpty(sample: Sample, name: string): void {
  if (sample.length === 0) throw new RangeError(`sample ${name} is empty`);
}

export function allFinite(sample: Sample): boolean {
  for (let i = 0; i < sample.length; i++) if (!Number.isFinite(sample[i])) return false;
  return true;
}

export function sortedCopy(sample: Sample): Float64Array {
  const out = Float64Array.from(sample);
  out.sort();
  return out;
}
