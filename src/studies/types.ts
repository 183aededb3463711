/**
 * The dataset studies' typed API: what each study takes, the progress events it sends while it runs,
 * and what it returns. The extension and the CLI both call the studies through these types (index.ts).
 */
import type { ProbingSettings } from '../analysis/probing/protocol';
import type { CausalReport, ProbingReport, StatsReport, StepsReport } from '../shared/reports';
import type { TraceSettings } from '../shared/trace';
import type { ExecutionProvider } from '../runtime/api';
import type { BadRecordPolicy } from '../runtime/datasets/item';
import type { Shard } from '../runtime/datasets/shard';
import type { AttentionProcessorOptions, AttentionResult, CausalResult, ProbeFeatures, StepsProcessorOptions, StepsResult, TraceProcessorOptions } from './processors';

/** the studies, by the name of their CLI command */
export type StudyKind = 'probe' | 'attention' | 'steps' | 'causal';

export const STUDY_KINDS: readonly StudyKind[] = ['probe', 'attention', 'steps', 'causal'];

/** how a person calls each study (progress, titles, report lists) */
export const STUDY_LABELS: Record<StudyKind, string> = {
  probe: 'probing experiment',
  attention: 'attention statistics',
  steps: 'adaptive-stopping study',
  causal: 'causal-effect study',
};

/** the report file each study writes under its `out` folder (with .csv and .md beside it) */
export const REPORT_STEMS: Record<StudyKind, 'probing' | 'attention' | 'steps' | 'causal'> = { probe: 'probing', attention: 'attention', steps: 'steps', causal: 'causal' };

/** the per-item processors the studies run over a dataset (one results file per model and task) */
export type TaskName = 'attention' | 'probe' | 'steps' | 'causal';

export interface TaskOptionsOf {
  attention: AttentionProcessorOptions;
  probe: TraceProcessorOptions;
  steps: StepsProcessorOptions;
  causal: TraceProcessorOptions;
}

export interface TaskResultOf {
  attention: AttentionResult;
  probe: ProbeFeatures;
  steps: StepsResult;
  causal: CausalResult;
}

/**
 * Where a study is: `items` while a model runs over the dataset (`pass` of `passes` models, `item`
 * of `of` items, `resumed` of them found done in the results file), then `fitting probes` (probe cell
 * `item` of `of`) or `report`.
 */
export type StudyPhase = 'items' | 'fitting probes' | 'report';

export interface StudyProgress {
  study: StudyKind;
  /** the study's own label, e.g. "probing experiment" */
  label: string;
  phase: StudyPhase;
  /** the model this pass runs (phase `items`) */
  model?: string;
  pass: number;
  passes: number;
  item: number;
  of: number;
  resumed: number;
  /** the probe cell just fitted, or the item that failed */
  detail?: string;
  /** the whole study's progress in 0..1 */
  fraction: number;
}

export interface CommonStudyOptions {
  dataset: string;
  modelDir: string;
  /** results (resumable) and the report go here */
  out: string;
  settings?: Partial<TraceSettings>;
  provider?: ExecutionProvider;
  threads?: number;
  /** only items k with k mod count = index; a shard run returns `report: null` */
  shard?: Shard;
  /** worker processes (default: one per core); 0 runs in this process */
  workers?: number;
  onBadRecord?: BadRecordPolicy;
  /** only the first N items */
  limit?: number;
  signal?: AbortSignal;
  onProgress?: (event: StudyProgress) => void;
  /** messages for people: skipped records, failed items, items dropped from the report */
  log?: (message: string) => void;
}

export interface AttentionStudyOptions extends CommonStudyOptions {
  /** sample b of Table 5, e.g. the no-latent baseline */
  baselineDir: string;
  /** further models (e.g. the no-Extractor ablation, LVR) in Table 5's rows and pairwise tests */
  furtherModelDirs?: string[];
  /** one decoder layer instead of the mean over layers */
  layer?: number;
}

export interface ProbingStudyOptions extends CommonStudyOptions {
  /** the model without the Extractor, or another LaRe model with one (a peer, rows named by model), probed on the same pairs */
  ablationDir?: string;
  probing?: Partial<ProbingSettings>;
}

export interface StepsStudyOptions extends CommonStudyOptions {
  /** largest fixed T and the adaptive cap (default 8) */
  maxSteps?: number;
  /** adaptive thresholds (default: the bundle's) */
  thresholds?: Partial<Record<'cosine' | 'l1' | 'l2', number>>;
}

/** a study's options before it has a folder, a shard, a signal and a progress sink */
export type StudyRequestOptions<O> = Omit<O, 'out' | 'shard' | 'signal' | 'onProgress' | 'log'>;

/** what the extension asks a study to do, run here or submitted to Slurm */
export type StudyRequest =
  | { study: 'probe'; options: StudyRequestOptions<ProbingStudyOptions> }
  | { study: 'attention'; options: StudyRequestOptions<AttentionStudyOptions> }
  | { study: 'steps'; options: StudyRequestOptions<StepsStudyOptions> };

export interface StudyOptionsOf {
  probe: ProbingStudyOptions;
  attention: AttentionStudyOptions;
  steps: StepsStudyOptions;
  causal: CommonStudyOptions;
}

export interface StudyReportOf {
  probe: ProbingReport;
  attention: StatsReport;
  steps: StepsReport;
  causal: CausalReport;
}

export interface StudyOutcome<R> {
  /** null for a shard run: merge the shards, then run again without --shard */
  report: R | null;
  /** the report files written (.report.json, .csv, .md) */
  files: string[];
  resultsPaths: string[];
}
