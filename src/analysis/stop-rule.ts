/**
 * The one adaptive-stop rule (docs/bundle-format.md, DESIGN.md): the latent loop stops after the
 * first step t >= 2 whose distance d_t to the previous latent token is below the threshold. The
 * runtime applies it step by step, the studies replay it over recorded distances and the panel
 * marks where it halts, all through these two functions. Pure.
 */

/** does a step with distance `d` (null for the first step, which has none) stop the loop? */
export function stopsAt(d: number | null, threshold: number): boolean {
  return d !== null && d < threshold;
}

/** the 1-based step at which the rule stops over `distances` (entry k is step k+1's), or null when none does */
export function firstStopStep(distances: readonly (number | null)[], threshold: number): number | null {
  for (let i = 0; i < distances.length; i++) if (stopsAt(distances[i], threshold)) return i + 1;
  return null;
}
