/**
 * The probing experiment (LaRe Table 6, appendix B) from pooled vectors to a ProbingReport:
 * pairs per target (pairs.ts) -> seeded 256-d projection + L2 norm (projection.ts) -> pair view
 * (pairFeatures.ts) -> SVM with C by grouped 5-fold CV and MLP with early stopping (probes.ts), for
 * {vision, text} x {svm, mlp} x {model, ablation, random vectors}; the MLP cells are the mean over
 * mlpInits initialisations with their spread. Every cell also gets a shuffled-label control (same
 * pipeline, training labels permuted, the mean over controlShuffles permutations), selectivity = accuracy - control,
 * per-negative-type accuracy and percentile-bootstrap 95% intervals over the test pairs.
 * Model, ablation and random baseline share the same pairs and splits, so their cells are paired.
 */
import type { NegativeType, ProbeCell, ProbeClassifier, ProbeTarget, ProbingPairing, ProbingReport, Spread } from '../../shared/reports';
import { createRandom, shuffleInPlace, type Random } from '../random';
import { bootstrapIndicesCI } from '../stats/bootstrap';
import { DEFAULT_C_GRID } from './crossValidation';
import { DEFAULT_MLP, type MlpOptions } from './mlp';
import { pairFeatureDim, pairFeatures, type PairView } from './pairFeatures';
import { trainContrastiveProjection } from './contrastive';
import { buildPairs, NEGATIVE_TYPES, type PairSet, type ProbeItemKey, type ProbePair } from './pairs';
import { accuracy, mlpProbe, svmProbe, type ProbeData, type ProbeOutcome } from './probes';
import { projectNormalize, randomProjection, type Projection } from './projection';

export interface ProbingItem {
  image: string;
  question: string;
  rationale: string;
  bbox?: number[];
}

/** one model's pooled (mean-max) vectors, one per item in item order */
export interface ProbingSource {
  latent: Float32Array[];
  vision: Float32Array[];
  text: Float32Array[];
}

export type ProjectionKind = 'random' | 'contrastive';

export interface ProbingSettings {
  seed: number;
  pairs: number;
  testFraction: number;
  /** 'random': fixed seeded matrix (default); 'contrastive': trained by InfoNCE on the training split */
  projection: ProjectionKind;
  projectionDim: number;
  view: PairView;
  folds: number;
  cGrid: number[];
  svmMaxIter: number;
  mlp: MlpOptions;
  bootstrapResamples: number;
  control: boolean;
  /** label shuffles of the control, averaged (each also a fresh initialisation) */
  controlShuffles: number;
  /** MLP initialisations per cell, averaged; the SVM is convex and fitted once */
  mlpInits: number;
  randomBaseline: boolean;
}

/** Upper bounds on the work one probing run may ask for (package.json's `latentTrace.probing.*` maxima). */
export const MAX_PROBE_PAIRS = 100_000;
export const MAX_BOOTSTRAP_RESAMPLES = 100_000;
export const MAX_REPEATS = 100;

export const DEFAULT_PROBING: ProbingSettings = {
  seed: 0,
  pairs: 1000,
  testFraction: 0.3,
  projection: 'random',
  projectionDim: 256,
  view: 'product',
  folds: 5,
  cGrid: DEFAULT_C_GRID,
  svmMaxIter: 1000,
  mlp: {},
  bootstrapResamples: 2000,
  control: true,
  controlShuffles: 5,
  mlpInits: 5,
  randomBaseline: true,
};

export interface ProbingInput {
  items: ProbingItem[];
  model: ProbingSource;
  ablation?: ProbingSource;
  /** `pairing`: what the ablation source is (default: the model's no-Extractor ablation) */
  labels: { model: string; ablation?: string; pairing?: ProbingPairing };
  /** ISO time stamp; injected so reports are reproducible in tests */
  createdAt?: string;
  /** called after each finished cell, e.g. for progress */
  onCell?: (cell: ProbeCell, done: number, total: number) => void;
}

export const PROBE_TARGETS: ProbeTarget[] = ['vision', 'text'];
export const PROBE_CLASSIFIERS: ProbeClassifier[] = ['svm', 'mlp'];

export function runProbing(input: ProbingInput, overrides: Partial<ProbingSettings> = {}): ProbingReport {
  const settings = { ...DEFAULT_PROBING, ...overrides, mlp: { ...DEFAULT_PROBING.mlp, ...overrides.mlp } };
  if (settings.pairs > MAX_PROBE_PAIRS) throw new RangeError(`probing: pairs must be at most ${MAX_PROBE_PAIRS}, got ${settings.pairs}`);
  if (!Number.isInteger(settings.bootstrapResamples) || settings.bootstrapResamples < 1 || settings.bootstrapResamples > MAX_BOOTSTRAP_RESAMPLES) {
    throw new RangeError(`probing: bootstrapResamples must be an integer in 1..${MAX_BOOTSTRAP_RESAMPLES}, got ${settings.bootstrapResamples}`);
  }
  for (const key of ['controlShuffles', 'mlpInits'] as const) {
    if (!Number.isInteger(settings[key]) || settings[key] < 1 || settings[key] > MAX_REPEATS) throw new RangeError(`probing: ${key} must be an integer in 1..${MAX_REPEATS}, got ${settings[key]}`);
  }
  validateInput(input);
  const sources: Array<['model' | 'ablation' | 'random', ProbingSource]> = [['model', input.model]];
  if (input.ablation) sources.push(['ablation', input.ablation]);
  if (settings.randomBaseline) sources.push(['random', randomSource(input.model, settings.seed)]);

  const pairSets = {} as Record<ProbeTarget, PairSet>;
  for (const target of PROBE_TARGETS) {
    pairSets[target] = buildPairs(targetKeys(input.items, target), { total: settings.pairs, testFraction: settings.testFraction, seed: settings.seed });
  }
  const total = PROBE_TARGETS.length * PROBE_CLASSIFIERS.length * sources.length;
  const cells: ProbeCell[] = [];
  for (const target of PROBE_TARGETS) {
    const pairSet = pairSets[target];
    for (const [sourceName, source] of sources) {
      const data = pairData(pairSet, input.items, source, target, settings);
      for (const classifier of PROBE_CLASSIFIERS) {
        // the same seed for every source: model, ablation and random differ only in their vectors
        const cell = runCell(data, classifier, settings, cellSeed(settings.seed, target, classifier));
        const full: ProbeCell = { target, classifier, source: sourceName, ...cell };
        cells.push(full);
        input.onCell?.(full, cells.length, total);
      }
    }
  }
  return {
    kind: 'probing',
    version: 1,
    models: input.labels.ablation ? { model: input.labels.model, ablation: input.labels.ablation, pairing: input.labels.pairing ?? 'ablation' } : { model: input.labels.model },
    settings: flattenSettings(settings),
    pairs: pairSets.vision.counts,
    pairsByTarget: { vision: pairSets.vision.counts, text: pairSets.text.counts },
    cells,
    createdAt: input.createdAt ?? new Date().toISOString(),
  };
}

interface PairData extends ProbeData {
  yTest: Uint8Array;
  testTypes: string[];
}

function pairData(pairSet: PairSet, items: ProbingItem[], source: ProbingSource, target: ProbeTarget, settings: ProbingSettings): PairData {
  const targets = source[target];
  const train = pairSet.pairs.filter((p) => p.split === 'train');
  const test = pairSet.pairs.filter((p) => p.split === 'test');
  const { latentProjection, targetProjection } = projections(source.latent, targets, train, settings);
  const projectedLatent = source.latent.map((v) => projectNormalize(latentProjection, v));
  const projectedTarget = targets.map((v) => projectNormalize(targetProjection, v));

  const dim = pairFeatureDim(settings.view, settings.projectionDim);
  const fill = (pairs: typeof train) => {
    const x = new Float64Array(pairs.length * dim);
    pairs.forEach((p, k) => pairFeatures(settings.view, projectedLatent[p.latent], projectedTarget[p.target], x, k * dim));
    return x;
  };
  return {
    dim,
    xTrain: fill(train),
    yTrain: Uint8Array.from(train, (p) => p.label),
    folds: groupedFolds(train.map((p) => items[p.latent].image), settings.folds, mix(settings.seed, 'folds')),
    xTest: fill(test),
    yTest: Uint8Array.from(test, (p) => p.label),
    testTypes: test.map((p) => p.type),
  };
}

function projections(latent: Float32Array[], targets: Float32Array[], train: ProbePair[], settings: ProbingSettings): { latentProjection: Projection; targetProjection: Projection } {
  const latentDim = latent[0].length;
  const targetDim = targets[0].length;
  const random = createRandom(mix(settings.seed, 'projection'));
  if (settings.projection === 'contrastive') {
    // only the training split's own (latent, target) items teach the projection
    const items = [...new Set(train.filter((p) => p.label === 1).map((p) => p.latent))].sort((a, b) => a - b);
    const z = new Float64Array(items.length * latentDim);
    const t = new Float64Array(items.length * targetDim);
    items.forEach((item, r) => {
      z.set(latent[item], r * latentDim);
      t.set(targets[item], r * targetDim);
    });
    const trained = trainContrastiveProjection(z, t, items.length, { outputDim: settings.projectionDim }, random);
    return { latentProjection: trained.latent, targetProjection: trained.target };
  }
  const latentProjection = randomProjection(latentDim, settings.projectionDim, random);
  // one shared matrix when both sides live in the same space keeps their inner products comparable
  const targetProjection = targetDim === latentDim ? latentProjection : randomProjection(targetDim, settings.projectionDim, random);
  return { latentProjection, targetProjection };
}

/**
 * One cell: the classifier fitted `mlpInits` times for the MLP (once for the convex SVM), and the
 * control `controlShuffles` times, each on its own permutation of the training labels. Each is scored on
 * the same test pairs, so the cell's accuracy is the mean per-pair correctness over its fits and its
 * interval a bootstrap of that mean. The control's expected accuracy is exactly 50% (docs/analyses.md):
 * the training labels are balanced, so a permutation and its complement are equally likely, and the
 * probes are symmetric in the labels; one shuffle is one random classifier whose test accuracy can lie
 * several points from 50%, beyond its bootstrap interval, which only resamples the test pairs.
 */
function runCell(data: PairData, classifier: ProbeClassifier, settings: ProbingSettings, seed: number): Omit<ProbeCell, 'target' | 'classifier' | 'source'> {
  const fit = (d: ProbeData, random: Random): ProbeOutcome =>
    classifier === 'svm' ? svmProbe(d, { grid: settings.cGrid, maxIter: settings.svmMaxIter }, random) : mlpProbe(d, settings.mlp, random);
  const inits = classifier === 'mlp' ? settings.mlpInits : 1;
  // the first initialisation keeps the single-fit seed, so one init reproduces the earlier reports
  const outcomes = Array.from({ length: inits }, (_, k) => fit(data, createRandom(k === 0 ? seed : mix(seed, `init/${k}`))));
  const fits = repeatedFits(outcomes.map((o) => o.predictions), data.yTest);
  const accuracyInterval = interval(fits.correct, settings, seed);
  let control = { value: NaN, low: NaN, high: NaN };
  let controlShuffles: Spread | undefined;
  if (settings.control) {
    const predictions = Array.from({ length: settings.controlShuffles }, (_, k) => {
      const suffix = k === 0 ? '' : `/${k}`;
      const shuffled = Uint8Array.from(data.yTrain);
      shuffleInPlace(shuffled, createRandom(mix(seed, `control-labels${suffix}`)));
      return fit({ ...data, yTrain: shuffled }, createRandom(mix(seed, `control${suffix}`))).predictions;
    });
    const c = repeatedFits(predictions, data.yTest);
    control = interval(c.correct, settings, mix(seed, 'control-ci'));
    controlShuffles = c.spread;
  }
  const perNegativeType = Object.fromEntries(
    NEGATIVE_TYPES.map((type) => {
      let total = 0;
      let count = 0;
      data.testTypes.forEach((t, i) => {
        if (t === type) {
          total += fits.correct[i];
          count++;
        }
      });
      return [type, count ? total / count : NaN];
    }),
  ) as Record<NegativeType, number>;
  return {
    accuracy: accuracyInterval,
    control,
    selectivity: accuracyInterval.value - control.value,
    perNegativeType,
    chosen: outcomes[0].chosen,
    ...(classifier === 'mlp' ? { inits: fits.spread } : {}),
    ...(controlShuffles ? { controlShuffles } : {}),
  };
}

/** per test pair, the share of fits that got it right; and the fits' accuracies */
function repeatedFits(predictions: Uint8Array[], labels: Uint8Array): { correct: Float64Array; spread: Spread } {
  const correct = new Float64Array(labels.length);
  for (const p of predictions) for (let i = 0; i < labels.length; i++) if (p[i] === labels[i]) correct[i] += 1 / predictions.length;
  const values = predictions.map((p) => accuracy(p, labels));
  const m = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = values.length > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1)) : NaN;
  return { correct, spread: { n: values.length, values, min: Math.min(...values), max: Math.max(...values), sd } };
}

function interval(correct: Float64Array, settings: ProbingSettings, seed: number): { value: number; low: number; high: number } {
  const [low, high] = bootstrapIndicesCI(
    correct.length,
    (indices) => {
      let s = 0;
      for (let k = 0; k < indices.length; k++) s += correct[indices[k]];
      return s / indices.length;
    },
    { resamples: settings.bootstrapResamples, seed: mix(seed, 'bootstrap') },
  );
  let total = 0;
  for (let i = 0; i < correct.length; i++) total += correct[i];
  return { value: total / correct.length, low, high };
}

/** training rows grouped by the image of their latent item, images dealt round-robin to k folds */
export function groupedFolds(images: string[], k: number, seed: number): Int32Array {
  const distinct = [...new Set(images)].sort();
  if (distinct.length < k) throw new RangeError(`probing: ${distinct.length} training images cannot fill ${k} folds`);
  shuffleInPlace(distinct, createRandom(seed));
  const foldOf = new Map(distinct.map((img, i) => [img, i % k]));
  return Int32Array.from(images, (img) => foldOf.get(img) as number);
}

function targetKeys(items: ProbingItem[], target: ProbeTarget): ProbeItemKey[] {
  return items.map((it) => ({
    image: it.image,
    question: it.question,
    // the vision target is the asked-about region of the image, the text target the rationale
    targetKey: target === 'vision' ? `${it.image}#${JSON.stringify(it.bbox ?? null)}` : it.rationale,
  }));
}

/** Gaussian vectors in place of the latents: what a probe reaches with no information at all */
function randomSource(model: ProbingSource, seed: number): ProbingSource {
  const random = createRandom(mix(seed, 'random-baseline'));
  return { ...model, latent: model.latent.map((v) => Float32Array.from(v, () => random.normal())) };
}

function validateInput(input: ProbingInput): void {
  const n = input.items.length;
  const check = (source: ProbingSource, name: string) => {
    for (const key of ['latent', 'vision', 'text'] as const) {
      if (source[key].length !== n) throw new RangeError(`probing: ${name}.${key} has ${source[key].length} vectors for ${n} items`);
      const dim = source[key][0]?.length ?? 0;
      if (dim === 0) throw new RangeError(`probing: ${name}.${key} vectors are empty`);
      source[key].forEach((v, i) => {
        if (v.length !== dim) throw new RangeError(`probing: ${name}.${key}[${i}] has dimension ${v.length}, expected ${dim}`);
        if (!v.every(Number.isFinite)) throw new RangeError(`probing: ${name}.${key}[${i}] has a non-finite value`);
      });
    }
  };
  check(input.model, 'model');
  if (input.ablation) check(input.ablation, 'ablation');
}

function flattenSettings(s: ProbingSettings): Record<string, string | number | boolean> {
  const mlp = { ...DEFAULT_MLP, ...s.mlp };
  return {
    seed: s.seed,
    pairs: s.pairs,
    testFraction: s.testFraction,
    projection: s.projection,
    projectionDim: s.projectionDim,
    pooling: 'mean-max',
    view: s.view,
    folds: s.folds,
    cGrid: s.cGrid.join(','),
    svmMaxIter: s.svmMaxIter,
    mlpHidden: mlp.hidden,
    mlpAlpha: mlp.alpha,
    mlpLearningRate: mlp.learningRate,
    mlpEarlyStopping: mlp.earlyStopping,
    mlpPatience: mlp.patience,
    bootstrapResamples: s.bootstrapResamples,
    control: s.control,
    controlShuffles: s.controlShuffles,
    mlpInits: s.mlpInits,
    randomBaseline: s.randomBaseline,
  };
}

function cellSeed(seed: number, ...parts: string[]): number {
  return mix(seed, parts.join('/'));
}

/** a 32-bit seed from a base seed and a label (FNV-1a), so each cell's randomness is independent of run order */
export function mix(seed: number, label: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
  return h >>> 0;
}
