/**
 * Convergence of the latent tokens (LaRe Table 4, Fig. 5; DESIGN.md): d_t = distance(l_t, l_{t-1}) for
 * t >= 2 by cosine distance (1 - cos), L1 and L2; adaptive stopping halts after the first step t whose
 * d_t is below the metric's threshold, else at the cap (stop-rule.ts, the rule the runtime applies step by step); and dataset
 * curves of the mean distance per step with a Student-t 95% interval across items.
 */
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import type { Interval } from '../shared/reports';
import type { StepDistance } from '../shared/trace';
import { DISTANCE_METRICS, stepDistance, type DistanceMetric } from './distance';
import { firstStopStep } from './stop-rule';

/** distances of consecutive latent tokens: entry k is d_{k+2}, between steps k+2 and k+1 (1-based) */
export function stepDistances(latentTokens: ArrayLike<number>[]): StepDistance[] {
  const out: StepDistance[] = [];
  for (let t = 1; t < latentTokens.length; t++) out.push(stepDistance(latentTokens[t], latentTokens[t - 1]));
  return out;
}

/**
 * The number of latent steps adaptive stopping runs, given the distances of a run of at least
 * maxSteps steps: the first t >= 2 with d_t < threshold, else maxSteps.
 */
export function adaptiveStopStep(distances: StepDistance[], metric: DistanceMetric, threshold: number, maxSteps: number): number {
  if (!Number.isInteger(maxSteps) || maxSteps < 1) throw new RangeError(`maxSteps must be a positive integer, got ${maxSteps}`);
  if (distances.length < maxSteps - 1) throw new RangeError(`adaptive stopping at up to ${maxSteps} steps needs ${maxSteps - 1} distances, got ${distances.length}`);
  const byStep = [null, ...distances.slice(0, maxSteps - 1).map((d) => d[metric])];
  return firstStopStep(byStep, threshold) ?? maxSteps;
}

/** mean and Student-t 95% interval of a sample; a single value gives a zero-width interval at it */
export function meanInterval(values: number[], level = 0.95): Interval {
  const n = values.length;
  if (n === 0) return { value: NaN, low: NaN, high: NaN };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { value: mean, low: mean, high: mean };
  const variance = values.reduce((a, v) => a + (v - mean) * (v - mean), 0) / (n - 1);
  const half = tQuantile(1 - (1 - level) / 2, n - 1) * Math.sqrt(variance / n);
  return { value: mean, low: mean - half, high: mean + half };
}

export interface ConvergenceCurves {
  /** 1-based step index t of d_t, starting at 2 */
  step: number[];
  cosine: Interval[];
  l1: Interval[];
  l2: Interval[];
}

/** per step, the mean distance across the items that reached that step, with a 95% interval */
export function convergenceCurves(perItem: StepDistance[][]): ConvergenceCurves {
  const longest = perItem.reduce((m, d) => Math.max(m, d.length), 0);
  const curves: ConvergenceCurves = { step: [], cosine: [], l1: [], l2: [] };
  for (let k = 0; k < longest; k++) {
    const reached = perItem.filter((d) => d.length > k).map((d) => d[k]);
    curves.step.push(k + 2);
    for (const metric of DISTANCE_METRICS) curves[metric].push(meanInterval(reached.map((d) => d[metric])));
  }
  return curves;
}
