/**
 * The two probes on ready-made pair features, as the scikit-learn pipelines they are checked against:
 * StandardScaler + LinearSVC with C chosen by cross-validation over given folds, and
 * StandardScaler + one-hidden-layer MLP with early stopping.
 */
import type { Random } from '../random';
import { selectC, DEFAULT_C_GRID } from './crossValidation';
import { fitLinearSvm, predictLinear } from './linearSvm';
import { fitMlp, predictMlp, type MlpOptions } from './mlp';
import { applyScaler, fitScaler } from './standardize';

export interface ProbeData {
  dim: number;
  xTrain: Float64Array;
  yTrain: Uint8Array;
  /** cross-validation fold of each training row */
  folds: Int32Array;
  xTest: Float64Array;
}

export interface ProbeOutcome {
  predictions: Uint8Array;
  chosen: Record<string, number>;
}

export interface SvmProbeOptions {
  grid?: number[];
  maxIter?: number;
}

export function svmProbe(data: ProbeData, options: SvmProbeOptions, random: Random): ProbeOutcome {
  const { C } = selectC(data.xTrain, data.yTrain, data.dim, data.folds, options.grid ?? DEFAULT_C_GRID, random, options.maxIter);
  const scaler = fitScaler(data.xTrain, data.dim);
  const model = fitLinearSvm(applyScaler(scaler, data.xTrain, data.dim), data.yTrain, data.dim, { C, maxIter: options.maxIter }, random);
  return { predictions: predictLinear(model, applyScaler(scaler, data.xTest, data.dim), data.dim), chosen: { C } };
}

export function mlpProbe(data: ProbeData, options: MlpOptions, random: Random): ProbeOutcome {
  const scaler = fitScaler(data.xTrain, data.dim);
  const fit = fitMlp(applyScaler(scaler, data.xTrain, data.dim), data.yTrain, data.dim, options, random);
  return { predictions: predictMlp(fit.model, applyScaler(scaler, data.xTest, data.dim)), chosen: { epochs: fit.bestEpoch } };
}

export function accuracy(predictions: Uint8Array, labels: Uint8Array, rows?: ArrayLike<number>): number {
  const count = rows ? rows.length : labels.length;
  if (count === 0) return NaN;
  let correct = 0;
  for (let k = 0; k < count; k++) {
    const i = rows ? rows[k] : k;
    if (predictions[i] === labels[i]) correct++;
  }
  return correct / count;
}
