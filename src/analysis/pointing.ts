/**
 * Pointing (does a latent step's window contain the centre of the asked-about box?) against two nulls,
 * per step and at any step, overall and per question type (docs/analyses.md, "Pointing"):
 * - uniform: the window drawn uniformly from every position the model could choose (the grid, the
 *   window size and stride), so the item's null rate is the share of positions containing the point;
 * - random object: the window placed on an object of the item's own scene drawn uniformly (its box
 *   centre inside the window, the window uniform among the positions containing that centre), so
 *   the null knows where objects are but not which one was asked about. It needs the item's objects.
 * A step's null is one window; "any step" over T windowed steps is 1 - (1 - p)^T, T independent null
 * windows, which a model whose steps repeat a window can only lose against. Each comparison is the
 * exact Poisson-binomial test of the hit count against the items' own null rates (stats/poissonBinomial).
 */
import type { WindowBox } from '../shared/trace';
import { poissonBinomialTest } from './stats/poissonBinomial';

export interface WindowGeometry {
  rows: number;
  cols: number;
  size: number;
  stride: number;
}

/** one item, in grid units (patches): the target point, the scene's object centres, the window of each step */
export interface PointingItem {
  type?: string;
  target: [number, number];
  /** null: the item carries no object annotations, so it has no random-object null */
  objects: [number, number][] | null;
  windows: (WindowBox | null)[];
}

export interface PointingNullTest {
  /** items in this comparison */
  n: number;
  hits: number;
  /** hits / n */
  rate: number;
  /** the null's expected rate over the same items */
  expected: number;
  /** rate - expected */
  difference: number;
  /** exact two-sided Poisson-binomial p */
  p: number;
  /** one-sided P(X >= hits) under the null */
  pGreater: number;
  /** exact Poisson-binomial, or its normal approximation above 20,000 items */
  method: 'exact' | 'normal';
}

export interface PointingRow {
  /** the latent step (1-based), or "any" */
  step: number | 'any';
  n: number;
  hits: number;
  rate: number;
  uniform: PointingNullTest;
  /** over the items with object annotations; null when none has them */
  randomObject: PointingNullTest | null;
}

export interface PointingSummary {
  /** items with a bbox and a windowed trace */
  n: number;
  /** the any-step rate */
  rate: number;
  /** of those, items without object annotations (left out of the random-object null only) */
  withoutObjects: number;
  rows: PointingRow[];
  perType: Record<string, PointingRow[]>;
}

function positions(size: number, extent: number, stride: number): number[] {
  const out: number[] = [];
  for (let s = 0; s + size <= extent; s += stride) out.push(s);
  return out;
}

/** share of window starts along one axis whose window contains coordinate v, and which */
function covering(starts: number[], size: number, v: number): number[] {
  return starts.filter((s) => v >= s && v < s + size);
}

/** the uniform null: the share of window positions containing the point */
export function uniformWindowRate(point: [number, number], g: WindowGeometry): number {
  const rows = positions(g.size, g.rows, g.stride);
  const cols = positions(g.size, g.cols, g.stride);
  return (covering(cols, g.size, point[0]).length * covering(rows, g.size, point[1]).length) / (rows.length * cols.length);
}

/**
 * The random-object null: mean over the scene's objects of P(window contains the point | window uniform
 * among the positions containing the object's centre); objects no window can contain are left out.
 * null when no object can be windowed.
 */
export function randomObjectRate(point: [number, number], objects: [number, number][], g: WindowGeometry): number | null {
  const rows = positions(g.size, g.rows, g.stride);
  const cols = positions(g.size, g.cols, g.stride);
  const pr = new Set(covering(rows, g.size, point[1]));
  const pc = new Set(covering(cols, g.size, point[0]));
  let total = 0;
  let counted = 0;
  for (const [x, y] of objects) {
    const orows = covering(rows, g.size, y);
    const ocols = covering(cols, g.size, x);
    if (orows.length === 0 || ocols.length === 0) continue;
    counted++;
    total += (orows.filter((r) => pr.has(r)).length * ocols.filter((c) => pc.has(c)).length) / (orows.length * ocols.length);
  }
  return counted ? total / counted : null;
}

/** Does the window contain the point (x, y), given in grid units (patches)? Half-open patch ranges. */
export function windowContains(window: WindowBox, x: number, y: number): boolean {
  return x >= window.col && x < window.col + window.size && y >= window.row && y < window.row + window.size;
}

const contains = (w: WindowBox, [x, y]: [number, number]) => windowContains(w, x, y);

export function pointingSummary(items: PointingItem[], g: WindowGeometry): PointingSummary {
  const usable = items.filter((it) => it.windows.some((w) => w !== null));
  const rates = usable.map((it) => ({
    uniform: uniformWindowRate(it.target, g),
    object: it.objects ? randomObjectRate(it.target, it.objects, g) : null,
  }));
  const rowsFor = (keep: (it: PointingItem) => boolean): PointingRow[] => {
    const idx = usable.map((_, i) => i).filter((i) => keep(usable[i]));
    const maxSteps = Math.max(0, ...idx.map((i) => usable[i].windows.length));
    const rows: PointingRow[] = [];
    const row = (step: number | 'any', members: number[], hit: (i: number) => boolean, nullRate: (p: number, i: number) => number): PointingRow => {
      const hits = members.map(hit);
      const withObjects = members.filter((i) => rates[i].object !== null);
      const count = hits.filter(Boolean).length;
      return {
        step,
        n: members.length,
        hits: count,
        rate: members.length ? count / members.length : NaN,
        uniform: nullTest(hits, members.map((i) => nullRate(rates[i].uniform, i))),
        randomObject: withObjects.length ? nullTest(withObjects.map(hit), withObjects.map((i) => nullRate(rates[i].object as number, i))) : null,
      };
    };
    for (let s = 0; s < maxSteps; s++) {
      const members = idx.filter((i) => usable[i].windows[s] != null);
      if (members.length) rows.push(row(s + 1, members, (i) => contains(usable[i].windows[s] as WindowBox, usable[i].target), (p) => p));
    }
    const windowed = (i: number) => usable[i].windows.filter((w) => w !== null).length;
    rows.push(row('any', idx, (i) => usable[i].windows.some((w) => w !== null && contains(w, usable[i].target)), (p, i) => 1 - (1 - p) ** windowed(i)));
    return rows;
  };
  const types = [...new Set(usable.flatMap((it) => (it.type === undefined ? [] : [it.type])))].sort();
  const rows = rowsFor(() => true);
  const any = rows[rows.length - 1];
  return {
    n: usable.length,
    rate: any.rate,
    withoutObjects: rates.filter((r) => r.object === null).length,
    rows,
    perType: Object.fromEntries(types.map((t) => [t, rowsFor((it) => it.type === t)])),
  };
}

function nullTest(hits: boolean[], rates: number[]): PointingNullTest {
  const t = poissonBinomialTest(hits, rates);
  return { n: t.n, hits: t.k, rate: t.n ? t.k / t.n : NaN, expected: t.expected, difference: t.difference, p: t.p, pGreater: t.pGreater, method: t.method };
}
