/**
 * Holm's step-down correction (Holm 1979) of a family of p-values: sorted ascending, the i-th
 * (0-based) of m is multiplied by m - i, capped at 1 and made non-decreasing. It controls the
 * family-wise error rate under any dependence between the tests, which pairwise comparisons of
 * models on the same items have. NaN p-values (an undefined test) stay NaN and do not count in m.
 */
export function holm(pValues: readonly number[]): number[] {
  const order = pValues.map((p, i) => [p, i] as const).filter(([p]) => !Number.isNaN(p)).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const m = order.length;
  const out = pValues.map(() => NaN);
  let running = 0;
  order.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    out[i] = running;
  });
  return out;
}
