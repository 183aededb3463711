/**
 * Dataset-level reports written by the CLI/extension and opened by the panel (JSON files).
 * Shapes follow the LaRe paper's tables: Table 4 (steps), Table 5 (attention statistics), Table 6 (probing).
 */

export interface Descriptive {
  n: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  percentiles: { '25': number; '50': number; '75': number; '95': number };
}

export interface TTestResult {
  t: number;
  df: number;
  p: number;
}

export interface MannWhitneyResult {
  U: number;
  p: number;
  method: 'exact' | 'asymptotic';
  alternative: 'two-sided' | 'less' | 'greater';
}

export interface EffectSizes {
  cohensD: number;
  rankBiserial: number;
  /** bootstrap 95% CI of mean(a) - mean(b) */
  meanDifferenceCI: [number, number];
  /** 'bootstrap' (percentile, seeded) or, for very large samples, 'normal' (mean difference +- z * Welch SE) */
  meanDifferenceCIMethod?: 'bootstrap' | 'normal';
}

/** one row of a dataset report's per-item table (drill-down): `image` as resolved, `id` the results line's item id */
export interface ReportItem { id: string; image: string; question: string; answer: string; expected?: string; correct?: boolean; statistic?: number; model?: string }

export interface StatsReport {
  kind: 'stats';
  version: 1;
  labels: { a: string; b: string };
  a: Descriptive;
  b: Descriptive;
  student: TTestResult;
  welch: TTestResult;
  mannWhitney: MannWhitneyResult;
  effectSize: EffectSizes;
  /** raw samples, for the distribution plots */
  samples: { a: number[]; b: number[] };
  /** what the samples are, e.g. "first answer token attention to visual tokens" */
  measure: string;
  /** Table 5 over any number of models (the attention study): each model's row and every pairwise test; a and b above are its first two models */
  comparison?: MultiComparison;
  items?: ReportItem[];
  createdAt: string;
}

export interface ModelSample {
  label: string;
  describe: Descriptive;
  sample: number[];
}

/** one pair of models (a before b in the report's model order), on the items every model ran */
export interface PairwiseTest {
  a: string;
  b: string;
  welch: TTestResult;
  mannWhitney: MannWhitneyResult;
  cohensD: number;
  /** Holm-adjusted p over the family of pairs, each test its own family */
  welchHolm: number;
  mannWhitneyHolm: number;
  /** mean(a) - mean(b) with its interval (EffectSizes' method) */
  meanDifference: number;
  meanDifferenceCI: [number, number];
  /**
   * Where every model ran on the same items (attention study): the paired t-test of the per-item differences
   * a - b, its Holm-adjusted p over the pairs (its own family) and a percentile bootstrap CI of the mean
   * difference resampling items, which keeps each item's pair together.
   */
  paired?: TTestResult;
  pairedHolm?: number;
  pairedDifferenceCI?: [number, number];
}

export interface MultiComparison {
  models: ModelSample[];
  pairs: PairwiseTest[];
  correction: 'holm';
  /** tests in each Holm family: the number of pairs, k (k - 1) / 2 for k models */
  family: number;
}

export type ProbeTarget = 'vision' | 'text';
export type ProbeClassifier = 'svm' | 'mlp';
export type NegativeType = 'different-question-same-image' | 'different-image-same-question' | 'random';

export interface Interval {
  value: number;
  low: number;
  high: number;
}

export interface ProbeCell {
  target: ProbeTarget;
  classifier: ProbeClassifier;
  /** which model's latents: the model, its without-Extractor ablation, or random vectors */
  source: 'model' | 'ablation' | 'random';
  accuracy: Interval;
  /** accuracy with shuffled training labels */
  control: Interval;
  selectivity: number;
  perNegativeType: Record<NegativeType, number>;
  /** chosen regularisation for the SVM (C), epochs for the MLP (of its first initialisation) */
  chosen?: Record<string, number>;
  /** the MLP's initialisations: accuracy.value is their mean, accuracy's interval a bootstrap of the per-pair mean */
  inits?: Spread;
  /** the control's label shuffles: control.value is their mean */
  controlShuffles?: Spread;
}

/** test accuracies of repeated fits (initialisations or label shuffles) and their spread */
export interface Spread {
  n: number;
  values: number[];
  min: number;
  max: number;
  /** sample standard deviation (ddof 1); NaN for one fit */
  sd: number;
}

/**
 * What the second probed model is: the first's no-Extractor ablation (Table 6 proper) or another LaRe
 * model with an Extractor (a peer); the `ablation` source holds its latents either way.
 */
export type ProbingPairing = 'ablation' | 'peer';

export interface PairCounts {
  total: number;
  positive: number;
  negative: Record<NegativeType, number>;
}

export interface ProbingReport {
  kind: 'probing';
  version: 1;
  /** `pairing` absent: the ablation (reports written before peers could be probed) */
  models: { model: string; ablation?: string; pairing?: ProbingPairing };
  settings: Record<string, string | number | boolean>;
  /** the vision target's pairs (the text target's may differ where a negative type fell back to random) */
  pairs: PairCounts;
  /** pairs actually built per target */
  pairsByTarget?: Record<ProbeTarget, PairCounts>;
  cells: ProbeCell[];
  items?: ReportItem[];
  createdAt: string;
}

export interface StepsRow {
  /** "T=4", "cosine", "l1", "l2" */
  rule: string;
  threshold?: number;
  meanSteps: number;
  accuracy: number;
  meanAnswerTokens: number;
}

export interface StepsReport {
  kind: 'steps';
  version: 1;
  model: string;
  items: number;
  rows: StepsRow[];
  /** per step index: mean and 95% CI of the distance to the previous latent token across items */
  convergence: {
    step: number[];
    cosine: Interval[];
    l1: Interval[];
    l2: Interval[];
  };
  thresholds: { cosine: number; l1: number; l2: number };
  /** the per-item table; `items` already counts them in this report kind */
  itemTable?: ReportItem[];
  createdAt: string;
}

export interface CausalStepRow {
  /** the ablated (zeroed) latent step */
  step: number;
  /** items whose unmodified run has this step */
  n: number;
  /** accuracy of the unmodified runs of those items, and with step t zeroed (bootstrap 95% CIs) */
  baselineAccuracy: Interval;
  ablatedAccuracy: Interval;
  /** exact McNemar test of right/wrong before vs after; b = right -> wrong, c = wrong -> right */
  mcnemar: { b: number; c: number; p: number };
  /** mean change of log p(unmodified answer's first token), with a bootstrap 95% CI */
  logProbChange: Interval;
  /** paired t-test of that change against 0 */
  pairedT: TTestResult;
}

export interface CausalReport {
  kind: 'causal';
  version: 1;
  model: string;
  /** items that ran */
  n: number;
  rows: CausalStepRow[];
  /** how the CIs were drawn */
  bootstrap: { resamples: number; level: number; seed: number };
  items?: ReportItem[];
  createdAt: string;
}

/** the reports the panel opens; CausalReport joins when the panel renders it (src/webview is not the runtime's) */
export type Report = StatsReport | ProbingReport | StepsReport;
