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

/** an ascending copy; callers reject NaN first (assertNoNaN) */
export { sortedFloat64 as sortedCopy } from './sortFloat64';

/** a plain array copy for the JSON report (Array.from goes through the iterator, ~10x slower) */
export function toArray(sample: Sample): number[] {
  const out = new Array<number>(sample.length);
  for (let i = 0; i < sample.length; i++) out[i] = sample[i];
  return out;
}
