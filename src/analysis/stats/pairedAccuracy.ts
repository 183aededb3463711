/**
 * Two models' right/wrong answers on the same items: each accuracy, the discordant counts, the exact
 * McNemar test on them, and the accuracy difference A - B with a paired percentile bootstrap
 * interval (the per-item differences resampled together, so the pairing is kept).
 */
import type { BootstrapOptions } from './bootstrap';
import { DEFAULT_BOOTSTRAP } from './bootstrap';
import { bootstrapMeanCI, mcnemarP } from './paired';

export interface PairedAccuracy {
  /** items answered by both models */
  n: number;
  accuracyA: number;
  accuracyB: number;
  /** A right, B wrong */
  aOnly: number;
  /** A wrong, B right */
  bOnly: number;
  /** exact McNemar: min(1, 2 P(X <= min(aOnly, bOnly))), X ~ Binomial(aOnly + bOnly, 1/2) */
  mcnemarP: number;
  /** accuracyA - accuracyB */
  difference: number;
  /** percentile bootstrap interval of the mean per-item difference (A right) - (B right) */
  differenceCI: [number, number];
  bootstrap: { resamples: number; level: number; seed: number };
}

export function pairedAccuracy(a: readonly boolean[], b: readonly boolean[], options: BootstrapOptions = {}): PairedAccuracy {
  if (a.length !== b.length) throw new RangeError(`a paired comparison needs the same items, got ${a.length} and ${b.length} answers`);
  if (a.length === 0) throw new RangeError('a paired comparison needs at least one item');
  const boot = { ...DEFAULT_BOOTSTRAP, ...options };
  let aRight = 0;
  let bRight = 0;
  let aOnly = 0;
  let bOnly = 0;
  const differences = new Float64Array(a.length);
  a.forEach((x, i) => {
    if (x) aRight++;
    if (b[i]) bRight++;
    if (x && !b[i]) aOnly++;
    else if (!x && b[i]) bOnly++;
    differences[i] = Number(x) - Number(b[i]);
  });
  const n = a.length;
  return {
    n,
    accuracyA: aRight / n,
    accuracyB: bRight / n,
    aOnly,
    bOnly,
    mcnemarP: mcnemarP(aOnly, bOnly),
    difference: (aRight - bRight) / n,
    differenceCI: bootstrapMeanCI(differences, boot),
    bootstrap: { resamples: boot.resamples, level: boot.level, seed: boot.seed },
  };
}
