/**
 * Linear SVM as scikit-learn's LinearSVC (liblinear): L2-regularised squared-hinge loss, solved in
 * the dual by coordinate descent with shrinking (liblinear's solve_l2r_l1l2_svc, its two passes over a
 * row as WebAssembly SIMD kernels), the intercept as an
 * extra constant feature of value 1 that is regularised like the weights (intercept_scaling = 1).
 * Stops when the projected-gradient spread is below `tol` or after `maxIter` passes, as liblinear.
 */
import { createArena } from '../kernels/simd';
import type { Random } from '../random';

export interface LinearModel {
  weights: Float64Array;
  bias: number;
}

export interface SvmOptions {
  C: number;
  tol?: number;
  maxIter?: number;
  /**
   * dual variables to start from, e.g. the solution at a smaller C on the same rows: any alpha >= 0
   * is feasible for the squared hinge, and the optimum is unique, so this only saves iterations
   */
  initialAlpha?: Float64Array;
}

export interface SvmFit extends LinearModel {
  alpha: Float64Array;
  iterations: number;
  converged: boolean;
}

/** rows of x are samples ([n * dim] row-major); labels are 0/1 */
export function fitLinearSvm(x: Float64Array, labels: Uint8Array, dim: number, options: SvmOptions, random: Random): SvmFit {
  const n = labels.length;
  if (x.length !== n * dim) throw new RangeError(`svm: ${x.length} values is not ${n} samples of dimension ${dim}`);
  const C = options.C;
  if (!(C > 0)) throw new RangeError(`svm: C must be positive, got ${C}`);
  const tol = options.tol ?? 1e-4;
  const maxIter = options.maxIter ?? 1000;
  const y = new Int8Array(n);
  for (let i = 0; i < n; i++) y[i] = labels[i] ? 1 : -1;
  // squared hinge: the dual gets 1/(2C) on the diagonal and no upper bound on alpha
  const diag = 0.5 / C;
  // the rows and w live in one WebAssembly memory so the two per-coordinate passes run as SIMD kernels
  const arena = createArena({ x: n * dim, w: dim });
  arena.blocks.x.view.set(x);
  const w = arena.blocks.w.view;
  const wPtr = arena.blocks.w.ptr;
  const rowPtr = (i: number) => arena.blocks.x.ptr + i * dim * 8;
  const qd = new Float64Array(n);
  for (let i = 0; i < n; i++) qd[i] = diag + 1 + arena.dot(rowPtr(i), rowPtr(i), dim);
  let bias = 0;
  const alpha = options.initialAlpha ? Float64Array.from(options.initialAlpha) : new Float64Array(n);
  if (alpha.length !== n) throw new RangeError(`svm: initialAlpha has ${alpha.length} values for ${n} samples`);
  for (let i = 0; i < n; i++) {
    if (alpha[i] === 0) continue;
    const scale = alpha[i] * y[i];
    arena.axpy(scale, rowPtr(i), wPtr, dim);
    bias += scale;
  }
  const index = new Int32Array(n);
  for (let i = 0; i < n; i++) index[i] = i;
  let activeSize = n;
  let pgMaxOld = Infinity;
  let iter = 0;
  let converged = false;
  while (iter < maxIter) {
    let pgMaxNew = -Infinity;
    let pgMinNew = Infinity;
    for (let s = 0; s < activeSize; s++) {
      const j = s + random.int(activeSize - s);
      const t = index[s];
      index[s] = index[j];
      index[j] = t;
    }
    for (let s = 0; s < activeSize; s++) {
      const i = index[s];
      const yi = y[i];
      const row = rowPtr(i);
      const g = yi * (bias + arena.dot(wPtr, row, dim)) - 1 + alpha[i] * diag;
      let pg = 0;
      if (alpha[i] === 0) {
        if (g > pgMaxOld) {
          activeSize--;
          index[s] = index[activeSize];
          index[activeSize] = i;
          s--;
          continue;
        }
        if (g < 0) pg = g;
      } else {
        pg = g;
      }
      if (pg > pgMaxNew) pgMaxNew = pg;
      if (pg < pgMinNew) pgMinNew = pg;
      if (Math.abs(pg) > 1e-12) {
        const old = alpha[i];
        alpha[i] = Math.max(old - g / qd[i], 0);
        const delta = (alpha[i] - old) * yi;
        arena.axpy(delta, row, wPtr, dim);
        bias += delta;
      }
    }
    iter++;
    if (pgMaxNew - pgMinNew <= tol) {
      if (activeSize === n) {
        converged = true;
        break;
      }
      activeSize = n;
      pgMaxOld = Infinity;
      continue;
    }
    // with no upper bound on alpha only the shrinking threshold on the lower side is needed
    pgMaxOld = pgMaxNew <= 0 ? Infinity : pgMaxNew;
  }
  return { weights: w.slice(), bias, alpha, iterations: iter, converged };
}

export function decision(model: LinearModel, x: Float64Array, dim: number): Float64Array {
  const n = x.length / dim;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = model.bias;
    const base = i * dim;
    for (let d = 0; d < dim; d++) s += model.weights[d] * x[base + d];
    out[i] = s;
  }
  return out;
}

export function predictLinear(model: LinearModel, x: Float64Array, dim: number): Uint8Array {
  return Uint8Array.from(decision(model, x, dim), (s) => (s > 0 ? 1 : 0));
}
