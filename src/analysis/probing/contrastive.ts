/**
 * The 'contrastive' projection: the paper's "lightweight, trainable linear layer". One linear map per
 * side (latent W_z, target W_t, both in -> k), trained on the training split's items only with the
 * symmetric InfoNCE loss of LaRe's alignment objective, L = (CE(S, I) + CE(S^T, I)) / 2 with
 * S_ij = cos(z_i W_z, t_j W_t) / temperature, full batch, Adam; both maps start from the seeded
 * random projection. The probe then sees pairs through the trained maps, as with 'random'.
 */
import type { Random } from '../random';
import { Adam } from './adam';
import { randomProjection, type Projection } from './projection';

export interface ContrastiveOptions {
  outputDim: number;
  steps?: number;
  learningRate?: number;
  temperature?: number;
}

export interface ContrastivePair {
  latent: Projection;
  target: Projection;
  /** training loss before and after */
  loss: { first: number; last: number };
}

/** rows of z [n * dz] and t [n * dt] are matching items */
export function trainContrastiveProjection(z: Float64Array, t: Float64Array, n: number, options: ContrastiveOptions, random: Random): ContrastivePair {
  const dz = z.length / n;
  const dt = t.length / n;
  if (!Number.isInteger(dz) || !Number.isInteger(dt) || n < 2) throw new RangeError(`contrastive projection: bad shapes (${z.length}, ${t.length}) for ${n} items`);
  const k = options.outputDim;
  const steps = options.steps ?? 100;
  const lr = options.learningRate ?? 1e-3;
  const tau = options.temperature ?? 0.1;
  const wz = randomProjection(dz, k, random).matrix;
  const wt = dz === dt ? Float64Array.from(wz) : randomProjection(dt, k, random).matrix;
  const adam = [new Adam(wz.length, lr), new Adam(wt.length, lr)];
  let first = NaN;
  let last = NaN;
  for (let step = 0; step < steps; step++) {
    const { loss, gradZ, gradT } = lossAndGradient(z, t, n, wz, wt, k, tau);
    if (step === 0) first = loss;
    last = loss;
    adam[0].step(wz, gradZ);
    adam[1].step(wt, gradT);
  }
  return { latent: { inputDim: dz, outputDim: k, matrix: wz }, target: { inputDim: dt, outputDim: k, matrix: wt }, loss: { first, last } };
}

/** x [n * d] times w [d * k], each row then L2-normalised; returns the normalised rows and the norms */
function projectRows(x: Float64Array, n: number, w: Float64Array, k: number): { rows: Float64Array; norms: Float64Array } {
  const d = x.length / n;
  const rows = new Float64Array(n * k);
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) {
      const v = x[i * d + a];
      if (v === 0) continue;
      const wBase = a * k;
      for (let j = 0; j < k; j++) rows[i * k + j] += v * w[wBase + j];
    }
    let s = 0;
    for (let j = 0; j < k; j++) s += rows[i * k + j] ** 2;
    const norm = Math.sqrt(s) || 1;
    norms[i] = norm;
    for (let j = 0; j < k; j++) rows[i * k + j] /= norm;
  }
  return { rows, norms };
}

export function lossAndGradient(z: Float64Array, t: Float64Array, n: number, wz: Float64Array, wt: Float64Array, k: number, tau: number): { loss: number; gradZ: Float64Array; gradT: Float64Array } {
  const u = projectRows(z, n, wz, k);
  const v = projectRows(t, n, wt, k);
  const s = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let c = 0; c < k; c++) dot += u.rows[i * k + c] * v.rows[j * k + c];
      s[i * n + j] = dot / tau;
    }
  }
  // dL/dS = ((P_row - I) + (P_col - I)) / (2n), P_row a row softmax, P_col a column softmax
  const ds = new Float64Array(n * n);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let j = 0; j < n; j++) max = Math.max(max, s[i * n + j]);
    let sum = 0;
    for (let j = 0; j < n; j++) sum += Math.exp(s[i * n + j] - max);
    loss += -(s[i * n + i] - max - Math.log(sum)) / (2 * n);
    for (let j = 0; j < n; j++) ds[i * n + j] += (Math.exp(s[i * n + j] - max) / sum - (i === j ? 1 : 0)) / (2 * n);
  }
  for (let j = 0; j < n; j++) {
    let max = -Infinity;
    for (let i = 0; i < n; i++) max = Math.max(max, s[i * n + j]);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += Math.exp(s[i * n + j] - max);
    loss += -(s[j * n + j] - max - Math.log(sum)) / (2 * n);
    for (let i = 0; i < n; i++) ds[i * n + j] += (Math.exp(s[i * n + j] - max) / sum - (i === j ? 1 : 0)) / (2 * n);
  }
  // dU = dS V / tau, dV = dS^T U / tau, then back through the normalisation and the linear maps
  const du = new Float64Array(n * k);
  const dv = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const g = ds[i * n + j] / tau;
      if (g === 0) continue;
      for (let c = 0; c < k; c++) {
        du[i * k + c] += g * v.rows[j * k + c];
        dv[j * k + c] += g * u.rows[i * k + c];
      }
    }
  }
  return { loss, gradZ: throughProjection(z, n, u, du, k), gradT: throughProjection(t, n, v, dv, k) };
}

/** gradient of W from the gradient of the normalised rows: da = (du - u (u . du)) / |a|, dW = X^T da */
function throughProjection(x: Float64Array, n: number, p: { rows: Float64Array; norms: Float64Array }, dRows: Float64Array, k: number): Float64Array {
  const d = x.length / n;
  const grad = new Float64Array(d * k);
  const da = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    let dot = 0;
    for (let c = 0; c < k; c++) dot += p.rows[i * k + c] * dRows[i * k + c];
    for (let c = 0; c < k; c++) da[c] = (dRows[i * k + c] - p.rows[i * k + c] * dot) / p.norms[i];
    for (let a = 0; a < d; a++) {
      const xv = x[i * d + a];
      if (xv === 0) continue;
      const base = a * k;
      for (let c = 0; c < k; c++) grad[base + c] += xv * da[c];
    }
  }
  return grad;
}
