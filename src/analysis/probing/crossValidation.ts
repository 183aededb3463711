/** Choosing the SVM's C by k-fold cross-validation on the training split (grid search, mean accuracy). */
import type { Random } from '../random';
import { fitLinearSvm, predictLinear } from './linearSvm';
import { applyScaler, fitScaler } from './standardize';

export const DEFAULT_C_GRID = [0.001, 0.01, 0.1, 1, 10];

export interface CvResult {
  C: number;
  /** mean validation accuracy per grid value, same order as the grid */
  scores: number[];
}

/**
 * folds[i] in 0..k-1 says which fold row i validates in. The scaler is refitted inside every fold
 * (as a scikit-learn Pipeline) so the validation rows never inform the standardisation. Ties between
 * grid values go to the first (smallest C), as GridSearchCV's rank_test_score does.
 */
export function selectC(x: Float64Array, labels: Uint8Array, dim: number, folds: Int32Array, grid: number[], random: Random, maxIter?: number): CvResult {
  const k = Math.max(...folds) + 1;
  const scores = grid.map(() => 0);
  for (let f = 0; f < k; f++) {
    const trainRows: number[] = [];
    const validRows: number[] = [];
    for (let i = 0; i < folds.length; i++) (folds[i] === f ? validRows : trainRows).push(i);
    const scaler = fitScaler(x, dim, trainRows);
    const xTrain = applyScaler(scaler, x, dim, trainRows);
    const xValid = applyScaler(scaler, x, dim, validRows);
    const yTrain = Uint8Array.from(trainRows, (i) => labels[i]);
    // along the grid in ascending C, each fit starts from the previous solution (a warm-started path)
    let alpha: Float64Array | undefined;
    ascending(grid).forEach((g) => {
      const model = fitLinearSvm(xTrain, yTrain, dim, { C: grid[g], maxIter, initialAlpha: alpha }, random);
      alpha = model.alpha;
      const predicted = predictLinear(model, xValid, dim);
      let correct = 0;
      validRows.forEach((row, j) => (correct += predicted[j] === labels[row] ? 1 : 0));
      scores[g] += correct / validRows.length / k;
    });
  }
  let best = 0;
  for (let g = 1; g < grid.length; g++) if (scores[g] > scores[best] + 1e-12) best = g;
  return { C: grid[best], scores };
}

function ascending(grid: number[]): number[] {
  return grid.map((_, g) => g).sort((a, b) => grid[a] - grid[b]);
}
