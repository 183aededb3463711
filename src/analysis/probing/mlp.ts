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
import { createArena, type Arena } from '../kernels/simd';
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
  const net = createNet(x, initialise(dim, o.hidden, random));
  const model = net.model;
  const optimisers = [model.w1, model.b1, model.w2, model.b2].map((p) => new Adam(p.length, o.learningRate));
  const grads = { w1: net.arena.blocks.gw1.view, b1: new Float64Array(o.hidden), w2: new Float64Array(o.hidden), b2: new Float64Array(1) };
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
      gradient(net, labels, batch, o.alpha, hiddenBuffer, grads);
      const params = [model.w1, model.b1, model.w2, model.b2];
      const gradients = [grads.w1, grads.b1, grads.w2, grads.b2];
      optimisers.forEach((opt, k) => opt.step(params[k], gradients[k]));
    }
    if (o.earlyStopping === 'loss') {
      const score = -logLoss(net, labels, validation);
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
      const score = validationAccuracy(net, labels, validation);
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
 * A model whose first layer and inputs live in one WebAssembly arena, so the products with W1 (the
 * hottest loops, forward and backward) run as SIMD kernels. model.w1 is a view into the arena.
 */
interface Net {
  model: MlpModel;
  arena: Arena<'x' | 'w1' | 'gw1' | 'out'>;
}

function createNet(x: Float64Array, init: MlpModel): Net {
  const arena = createArena({ x: x.length, w1: init.w1.length, gw1: init.w1.length, out: 8 });
  arena.blocks.x.view.set(x);
  arena.blocks.w1.view.set(init.w1);
  return { model: { ...init, w1: arena.blocks.w1.view }, arena };
}

/**
 * Hidden activations of the given rows of x into out (row k of `rows` at out[k * hidden ..]). Rows
 * go two at a time and hidden units four at a time through dots2x4, so each load serves several
 * products; an odd last row is paired with itself.
 */
function hiddenLayer(net: Net, rows: ArrayLike<number>, out: Float64Array): void {
  const { model, arena } = net;
  const { dim, hidden, b1 } = model;
  const { x, w1, out: scratch } = arena.blocks;
  const products = scratch.view;
  const rowBytes = dim * 8;
  for (let k = 0; k < rows.length; k += 2) {
    const pair = k + 1 < rows.length;
    const pa = x.ptr + rows[k] * rowBytes;
    const pb = pair ? x.ptr + rows[k + 1] * rowBytes : pa;
    const offA = k * hidden;
    const offB = offA + hidden;
    let h = 0;
    for (; h + 3 < hidden; h += 4) {
      arena.dots2x4(pa, pb, w1.ptr + h * rowBytes, dim, scratch.ptr);
      for (let j = 0; j < 4; j++) {
        out[offA + h + j] = relu(b1[h + j] + products[j]);
        if (pair) out[offB + h + j] = relu(b1[h + j] + products[4 + j]);
      }
    }
    for (; h < hidden; h++) {
      const wp = w1.ptr + h * rowBytes;
      out[offA + h] = relu(b1[h] + arena.dot(pa, wp, dim));
      if (pair) out[offB + h] = relu(b1[h] + arena.dot(pb, wp, dim));
    }
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
  net: Net,
  labels: Uint8Array,
  batch: Int32Array,
  alpha: number,
  hiddenBuffer: Float64Array,
  g: { w1: Float64Array; b1: Float64Array; w2: Float64Array; b2: Float64Array },
): void {
  const { model: m, arena } = net;
  const { dim, hidden, w2 } = m;
  const { x, w1, gw1 } = arena.blocks;
  const size = batch.length;
  const gb1 = g.b1;
  const gw2 = g.w2;
  g.w1.fill(0);
  gb1.fill(0);
  gw2.fill(0);
  let gb2 = 0;
  // the hidden buffer is reused for the hidden deltas once the output gradient is known
  hiddenLayer(net, batch, hiddenBuffer);
  for (let k = 0; k < size; k++) {
    const offset = k * hidden;
    const p = sigmoid(outputLogit(m, hiddenBuffer, offset));
    const dOut = (p - labels[batch[k]]) / size;
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
  const rowBytes = dim * 8;
  const live = new Int32Array(size);
  for (let h = 0; h < hidden; h++) {
    const target = gw1.ptr + h * rowBytes;
    let count = 0;
    for (let k = 0; k < size; k++) if (hiddenBuffer[k * hidden + h] !== 0) live[count++] = k;
    let j = 0;
    for (; j + 3 < count; j += 4) {
      const k0 = live[j];
      const k1 = live[j + 1];
      const k2 = live[j + 2];
      const k3 = live[j + 3];
      arena.axpy4(
        hiddenBuffer[k0 * hidden + h], hiddenBuffer[k1 * hidden + h], hiddenBuffer[k2 * hidden + h], hiddenBuffer[k3 * hidden + h],
        x.ptr + batch[k0] * rowBytes, x.ptr + batch[k1] * rowBytes, x.ptr + batch[k2] * rowBytes, x.ptr + batch[k3] * rowBytes,
        target, dim,
      );
    }
    for (; j < count; j++) {
      const k = live[j];
      arena.axpy(hiddenBuffer[k * hidden + h], x.ptr + batch[k] * rowBytes, target, dim);
    }
  }
  g.b2[0] = gb2;
  const penalty = alpha / size;
  arena.axpy(penalty, w1.ptr, gw1.ptr, w1.view.length);
  for (let h = 0; h < hidden; h++) gw2[h] += penalty * w2[h];
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

function logLoss(net: Net, labels: Uint8Array, rows: ArrayLike<number>): number {
  const m = net.model;
  const buffer = new Float64Array(rows.length * m.hidden);
  hiddenLayer(net, rows, buffer);
  let total = 0;
  for (let k = 0; k < rows.length; k++) {
    const z = outputLogit(m, buffer, k * m.hidden);
    // log(1 + e^-|z|) form keeps the loss finite for confident predictions
    const softplus = Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
    total += labels[rows[k]] ? softplus - z : softplus;
  }
  return total / rows.length;
}

function validationAccuracy(net: Net, labels: Uint8Array, rows: ArrayLike<number>): number {
  const m = net.model;
  const buffer = new Float64Array(rows.length * m.hidden);
  hiddenLayer(net, rows, buffer);
  let correct = 0;
  for (let k = 0; k < rows.length; k++) {
    if ((outputLogit(m, buffer, k * m.hidden) > 0 ? 1 : 0) === labels[rows[k]]) correct++;
  }
  return correct / rows.length;
}

export function mlpProbabilities(m: MlpModel, x: Float64Array): Float64Array {
  const n = x.length / m.dim;
  const net = createNet(x, m);
  const rows = Int32Array.from({ length: n }, (_, i) => i);
  const buffer = new Float64Array(n * m.hidden);
  hiddenLayer(net, rows, buffer);
  return Float64Array.from(rows, (i) => sigmoid(outputLogit(m, buffer, i * m.hidden)));
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
