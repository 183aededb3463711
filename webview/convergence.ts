/**
 * Convergence of the latent tokens: distance series per metric and where adaptive stopping halts.
 */
import type { Trace, StepDistance } from '../src/shared/trace';
import type { Interval } from '../src/shared/reports';

export const METRICS = ['cosine', 'l1', 'l2'] as const;
export type Metric = keyof StepDistance;

export const METRIC_LABELS: Record<Metric, string> = { cosine: 'Cosine distance', l1: 'L1 distance', l2: 'L2 distance' };

/** Distance of each step's latent token to the previous one (null for the first step). */
export function distanceSeries(trace: Trace, metric: Metric): (number | null)[] {
  return trace.steps.map((s) => (s.distance ? s.distance[metric] : null));
}

/**
 * What the charts cannot show for traces with fewer than two latent steps (a distance needs a previous
 * step), in words; null when every trace has a distance to plot.
 */
export function fewStepsNote(traces: readonly Trace[]): string | null {
  const short = traces.map((t, k) => ({ t, k })).filter(({ t }) => t.steps.length < 2);
  if (short.length === 0) return null;
  if (traces.length === 1) {
    return `Distances need two latent steps; this trace ran ${short[0].t.steps.length === 0 ? 'none' : 'one'}, so there is no curve to plot.`;
  }
  const names = short.map(({ t, k }) => `${String.fromCharCode(65 + k)} (${t.model.name}, ${t.steps.length} step${t.steps.length === 1 ? '' : 's'})`);
  return `Distances need two latent steps; ${names.join(' and ')} ${short.length === 1 ? 'has' : 'have'} no curve.`;
}

/** The mean of each interval, for the stop rule over a dataset's mean curve. */
export function intervalMeans(series: readonly Interval[]): number[] {
  return series.map((iv) => iv.value);
}

/** The threshold a trace's own stop rule used for a metric, or null when that rule was another one. */
export function traceThreshold(trace: Trace, metric: Metric): number | null {
  return trace.settings.stop === metric ? trace.settings.threshold : null;
}
