/**
 * Value ranges for heatmap normalisation. NaN marks "no value here" (e.g. outside the window)
 * and is skipped; a range with no finite value is null.
 */
export interface ValueRange {
  min: number;
  max: number;
}

export type Normalisation = 'step' | 'global';

/** The finite min and max over one or more arrays, or null when none is finite. */
export function rangeOf(arrays: readonly ArrayLike<number>[]): ValueRange | null {
  let min = Infinity;
  let max = -Infinity;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (!Number.isFinite(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return min === Infinity ? null : { min, max };
}

/** Maps v into [0, 1] over the range (clamped); a constant range maps everything to 0. */
export function toUnit(v: number, range: ValueRange): number {
  const span = range.max - range.min;
  if (!(span > 0)) return 0;
  const t = (v - range.min) / span;
  return t < 0 ? 0 : t > 1 ? 1 : t;
}

/** Evenly spaced legend ticks from min to max (count >= 2). */
export function legendTicks(range: ValueRange, count: number): number[] {
  if (count < 2) throw new RangeError(`legend needs at least 2 ticks, got ${count}`);
  return Array.from({ length: count }, (_, i) => range.min + ((range.max - range.min) * i) / (count - 1));
}
