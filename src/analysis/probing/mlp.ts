/**
 * One-hidden-layer MLP probe (LaRe appendix B): ReLU hidden layer, one logistic output, binary
 * log-loss with an L2 penalty, trained by Adam on shuffled mini-batches, early stopping on the loss
 * of a held-out validation split with the best weights restored. Initialisation, penalty scaling and
 * Adam follow scikit-learn's MLPClassifier (Glorot-uniform bounds sqrt(6 / (fan_in + fan_out)),
 * loss + alpha/2 * |W|^2 / batch, bias-corrected step size), so results are comparable to it.
 * Early stopping, with the best validation epoch's weights restored:
 * - 'accuracy' (default): scikit-learn's rule, stop once validation accuracy has not improved by tol
 *   for more than `patience` epochs;
 * - 'loss': the paper's rule, stop once validation log-loss has not improved by tol for `patience` epochs.
 */
import type { Random } from '../random';
import { Adam } from './adam';

export interface MlpOptions {
  hidden?: number;
  /** L2 penalty (scikit-learn's alpha) */
  alpha?: number;
  learningRate?: number;
  batchSize?: number;
  maxEpochs?: number;
  /** epochs without a validation-loss improvement larger than tol before stopping */
  patience?: number;
  tol?: number;
  validationFraction?: number;
  earlyStopping?: 'accuracy' | 'loss';
}

export const DEFAULT_MLP: Required<MlpOptions> = {
  hidden: 64,
  alpha: 1e-4,
  learningRate: 1e-3,
  batchSize: 200,
  maxEpochs: 200,
  patience: 10,
  tol: 1e-4,
  validationFraction: 0.1,
  earlyStopping: 'accuracy',
};

export interface MlpModel {
  dim: number;
  hidden: number;
  /** [hidden * dim]: one row per hidden unit, so each unit's pre-activation is a contiguous dot product */
  w1: Float64Array;
  b1: Float64Array;
  w2: Float64Array;
  /** the output bias, one element so the optimiser updates it like the other parameters */
  b2: Float64Array;
}

export interface MlpFit {
  model: MlpModel;
  /** epoch (1-based) whose weights were kept */
  bestEpoch: number;
  epochs: number;
}

export function fitMlp(x: Float64Array, labels: Uint8Array, dim: number, options: MlpOptions, random: Random): MlpFit {
  const o = { ...DEFAULT_MLP, ...options };
  const n = labels.length;
  if (x.length !== n * dim) throw new RangeError(`mlp: ${x.length} values is not ${n} samples of dimension ${dim}`);
  const { train, validation } = stratifiedHoldout(labels, o.validationFraction, random);
  if (train.length === 0 || validation.length === 0) throw new RangeError(`mlp: ${n} samples are too few for a validation split`);
  const model = initialise(dim, o.hidden, random);
  const optimisers = [model.w1, model.b1, model.w2, model.b2].map((p) => new Adam(p.length, o.learningRate));
  const grads = { w1: new Float64Array(model.w1.length), b1: new Float64Array(o.hidden), w2: new Float64Array(o.hidden), b2: new Float64Array(1) };
  const batchSize = Math.min(o.batchSize, train.length);
  const hiddenBuffer = new Float64Array(batchSize * o.hidden);
  let best = cloneModel(model);
  let bestScore = -Infinity;
  let bestEpoch = 0;
  let sinceImprovement = 0;
  let epoch = 0;
  const order = Int32Array.from(train);
  while (epoch < o.maxEpochs) {
    epoch++;
    for (let i = order.length - 1; i > 0; i--) {
      const j = random.int(i + 1);
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    for (let start = 0; start < order.length; start += batchSize) {
      const batch = order.subarray(start, Math.min(start + batchSize, order.length));
      gradient(model, x, labels, batch, o.alpha, hiddenBuffer, grads);
      const params = [model.w1, model.b1, model.w2, model.b2];
      const gradients = [grads.w1, grads.b1, grads.w2, grads.b2];
      optimisers.forEach((opt, k) => opt.step(params[k], gradients[k]));
    }
    if (o.earlyStopping === 'loss') {
      const score = -logLoss(model, x, labels, validation);
      if (score > bestScore + o.tol) {
        bestScore = score;
        best = cloneModel(model);
        bestEpoch = epoch;
        sinceImprovement = 0;
      } else if (++sinceImprovement >= o.patience) {
        break;
      }
    } else {
      // scikit-learn's _update_no_improvement_count: the count and the kept weights use different tests
      const score = validationAccuracy(model, x, labels, validation);
      sinceImprovement = score < bestScore + o.tol ? sinceImprovement + 1 : 0;
      if (score > bestScore) {
        bestScore = score;
        best = cloneModel(model);
        bestEpoch = epoch;
      }
      if (sinceImprovement > o.patience) break;
    }
  }
  return { model: best, bestEpoch, epochs: epoch };
}

function initialise(dim: number, hidden: number, random: Random): MlpModel {
  const bound1 = Math.sqrt(6 / (dim + hidden));
  const bound2 = Math.sqrt(6 / (hidden + 1));
  const uniform = (bound: number) => (random.next() * 2 - 1) * bound;
  const w1 = Float64Array.from({ length: dim * hidden }, () => uniform(bound1));
  const b1 = Float64Array.from({ length: hidden }, () => uniform(bound1));
  const w2 = Float64Array.from({ length: hidden }, () => uniform(bound2));
  const b2 = Float64Array.of(uniform(bound2));
  return { dim, hidden, w1, b1, w2, b2 };
}

function cloneModel(m: MlpModel): MlpModel {
  return { dim: m.dim, hidden: m.hidden, w1: m.w1.slice(), b1: m.b1.slice(), w2: m.w2.slice(), b2: m.b2.slice() };
}

/**
 * Hidden activations of sample `row` into out[offset .. offset+hidden). Four hidden units at a time
 * share each input load, which roughly halves the memory traffic of this, the hottest loop.
 */
function hiddenLayer(m: MlpModel, x: Float64Array, row: number, out: Float64Array, offset: number): void {
  const { dim, hidden, w1, b1 } = m;
  const base = row * dim;
  let h = 0;
  for (; h + 3 < hidden; h += 4) {
    const w0 = h * dim;
    const wa = w0 + dim;
    const wb = wa + dim;
    const wc = wb + dim;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let d = 0; d < dim; d++) {
      const v = x[base + d];
      s0 += v * w1[w0 + d];
      s1 += v * w1[wa + d];
      s2 += v * w1[wb + d];
      s3 += v * w1[wc + d];
    }
    out[offset + h] = relu(b1[h] + s0);
    out[offset + h + 1] = relu(b1[h + 1] + s1);
    out[offset + h + 2] = relu(b1[h + 2] + s2);
    out[offset + h + 3] = relu(b1[h + 3] + s3);
  }
  for (; h < hidden; h++) {
    const wBase = h * dim;
    let s = b1[h];
    for (let d = 0; d < dim; d++) s += x[base + d] * w1[wBase + d];
    out[offset + h] = relu(s);
  }
}

/** hiddenLayer for two samples at once: each weight load serves both (the training forward pass) */
function hiddenLayerPair(m: MlpModel, x: Float64Array, rowA: number, rowB: number, out: Float64Array, offA: number, offB: number): void {
  const { dim, hidden, w1, b1 } = m;
  const a = rowA * dim;
  const b = rowB * dim;
  let h = 0;
  for (; h + 3 < hidden; h += 4) {
    const w0 = h * dim;
    const wa = w0 + dim;
    const wb = wa + dim;
    const wc = wb + dim;
    let p0 = 0;
    let p1 = 0;
    let p2 = 0;
    let p3 = 0;
    let q0 = 0;
    let q1 = 0;
    let q2 = 0;
    let q3 = 0;
    for (let d = 0; d < dim; d++) {
      const u = x[a + d];
      const v = x[b + d];
      const c0 = w1[w0 + d];
      const c1 = w1[wa + d];
      const c2 = w1[wb + d];
      const c3 = w1[wc + d];
      p0 += u * c0;
      p1 += u * c1;
      p2 += u * c2;
      p3 += u * c3;
      q0 += v * c0;
      q1 += v * c1;
      q2 += v * c2;
      q3 += v * c3;
    }
    out[offA + h] = relu(b1[h] + p0);
    out[offA + h + 1] = relu(b1[h + 1] + p1);
    out[offA + h + 2] = relu(b1[h + 2] + p2);
    out[offA + h + 3] = relu(b1[h + 3] + p3);
    out[offB + h] = relu(b1[h] + q0);
    out[offB + h + 1] = relu(b1[h + 1] + q1);
    out[offB + h + 2] = relu(b1[h + 2] + q2);
    out[offB + h + 3] = relu(b1[h + 3] + q3);
  }
  for (; h < hidden; h++) {
    const wBase = h * dim;
    let sa = b1[h];
    let sb = b1[h];
    for (let d = 0; d < dim; d++) {
      sa += x[a + d] * w1[wBase + d];
      sb += x[b + d] * w1[wBase + d];
    }
    out[offA + h] = relu(sa);
    out[offB + h] = relu(sb);
  }
}

function relu(v: number): number {
  return v > 0 ? v : 0;
}

function outputLogit(m: MlpModel, hiddenValues: Float64Array, offset: number): number {
  const w2 = m.w2;
  let s = m.b2[0];
  for (let h = 0; h < m.hidden; h++) s += hiddenValues[offset + h] * w2[h];
  return s;
}

/**
 * Mean gradient of the penalised log-loss over a batch. The first-layer gradient is accumulated per
 * hidden unit over the batch, skipping the (about half) samples where the ReLU is off.
 */
function gradient(
  m: MlpModel,
  x: Float64Array,
  labels: Uint8Array,
  batch: Int32Array,
  alpha: number,
  hiddenBuffer: Float64Array,
  g: { w1: Float64Array; b1: Float64Array; w2: Float64Array; b2: Float64Array },
): void {
  const { dim, hidden, w1, w2 } = m;
  const size = batch.length;
  const gw1 = g.w1;
  const gb1 = g.b1;
  const gw2 = g.w2;
  gw1.fill(0);
  gb1.fill(0);
  gw2.fill(0);
  let gb2 = 0;
  // the hidden buffer is reused for the hidden deltas once the output gradient is known
  let k = 0;
  for (; k + 1 < size; k += 2) hiddenLayerPair(m, x, batch[k], batch[k + 1], hiddenBuffer, k * hidden, (k + 1) * hidden);
  if (k < size) hiddenLayer(m, x, batch[k], hiddenBuffer, k * hidden);
  for (let k = 0; k < size; k++) {
    const row = batch[k];
    const offset = k * hidden;
    const p = sigmoid(outputLogit(m, hiddenBuffer, offset));
    const dOut = (p - labels[row]) / size;
    gb2 += dOut;
    for (let h = 0; h < hidden; h++) {
      const a = hiddenBuffer[offset + h];
      gw2[h] += dOut * a;
      const delta = a > 0 ? dOut * w2[h] : 0;
      hiddenBuffer[offset + h] = delta;
      gb1[h] += delta;
    }
  }
  // per hidden unit, the samples with a live ReLU are added four at a time: one load and store of
  // the gradient row per four samples
  const live = new Int32Array(size);
  for (let h = 0; h < hidden; h++) {
    const gBase = h * dim;
    let count = 0;
    for (let k = 0; k < size; k++) if (hiddenBuffer[k * hidden + h] !== 0) live[count++] = k;
    let j = 0;
    for (; j + 3 < count; j += 4) {
      const k0 = live[j];
      const k1 = live[j + 1];
      const k2 = live[j + 2];
      const k3 = live[j + 3];
      const d0 = hiddenBuffer[k0 * hidden + h];
      const d1 = hiddenBuffer[k1 * hidden + h];
      const d2 = hiddenBuffer[k2 * hidden + h];
      const d3 = hiddenBuffer[k3 * hidden + h];
      const x0 = batch[k0] * dim;
      const x1 = batch[k1] * dim;
      const x2 = batch[k2] * dim;
      const x3 = batch[k3] * dim;
      for (let d = 0; d < dim; d++) gw1[gBase + d] += d0 * x[x0 + d] + d1 * x[x1 + d] + d2 * x[x2 + d] + d3 * x[x3 + d];
    }
    for (; j < count; j++) {
      const k = live[j];
      const delta = hiddenBuffer[k * hidden + h];
      const base = batch[k] * dim;
      for (let d = 0; d < dim; d++) gw1[gBase + d] += delta * x[base + d];
    }
  }
  g.b2[0] = gb2;
  const penalty = alpha / size;
  for (let i = 0; i < w1.length; i++) gw1[i] += penalty * w1[i];
  for (let h = 0; h < hidden; h++) gw2[h] += penalty * w2[h];
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

function logLoss(m: MlpModel, x: Float64Array, labels: Uint8Array, rows: ArrayLike<number>): number {
  const buffer = new Float64Array(m.hidden);
  let total = 0;
  for (let k = 0; k < rows.length; k++) {
    const row = rows[k];
    hiddenLayer(m, x, row, buffer, 0);
    const z = outputLogit(m, buffer, 0);
    // log(1 + e^-|z|) form keeps the loss finite for confident predictions
    const softplus = Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
    total += labels[row] ? softplus - z : softplus;
  }
  return total / rows.length;
}

function validationAccuracy(m: MlpModel, x: Float64Array, labels: Uint8Array, rows: ArrayLike<number>): number {
  const buffer = new Float64Array(m.hidden);
  let correct = 0;
  for (let k = 0; k < rows.length; k++) {
    hiddenLayer(m, x, rows[k], buffer, 0);
    if ((outputLogit(m, buffer, 0) > 0 ? 1 : 0) === labels[rows[k]]) correct++;
  }
  return correct / rows.length;
}

export function mlpProbabilities(m: MlpModel, x: Float64Array): Float64Array {
  const n = x.length / m.dim;
  const buffer = new Float64Array(m.hidden);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    hiddenLayer(m, x, i, buffer, 0);
    out[i] = sigmoid(outputLogit(m, buffer, 0));
  }
  return out;
}

export function predictMlp(m: MlpModel, x: Float64Array): Uint8Array {
  return Uint8Array.from(mlpProbabilities(m, x), (p) => (p > 0.5 ? 1 : 0));
}

/** a validation split holding `fraction` of each class (at least one of each where possible) */
function stratifiedHoldout(labels: Uint8Array, fraction: number, random: Random): { train: number[]; validation: number[] } {
  const train: number[] = [];
  const validation: number[] = [];
  for (const cls of [0, 1]) {
    const members: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === cls) members.push(i);
    for (let i = members.length - 1; i > 0; i--) {
      const j = random.int(i + 1);
      [members[i], members[j]] = [members[j], members[i]];
    }
    const take = members.length > 1 ? Math.max(1, Math.round(members.length * fraction)) : 0;
    validation.push(...members.slice(0, take));
    train.push(...members.slice(take));
  }
  return { train: train.sort((a, b) => a - b), validation: validation.sort((a, b) => a - b) };
}
