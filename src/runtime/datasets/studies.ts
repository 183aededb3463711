/**
 * The three dataset studies behind `latent-trace attention | probe | steps` and the extension's
 * palette commands: resumable dataset runs (task.ts), then the report (LaRe Tables 5, 6, 4), written as
 * <kind>.report.json + .csv + .md under `out`. A shard run returns `report: null` until merged.
 * Each study holds the lock on `out` while it runs (folder-lock.ts).
 */
import { join } from 'node:path';
import { adaptiveStopStep, convergenceCurves, DISTANCE_METRICS } from '../../analysis/convergence';
import { runProbing, type ProbingItem, type ProbingSettings, type ProbingSource } from '../../analysis/probing/protocol';
import { causalTables, probingTables, statsTables, stepsTables, type Tables } from '../../analysis/reportTables';
import { bootstrapMeanCI, compareSamples, DEFAULT_BOOTSTRAP, mcnemarExact, pairedTTest } from '../../analysis/stats';
import type { CausalReport, CausalStepRow, Interval, ProbeCell, ProbingReport, ReportItem, StatsReport, StepsReport, StepsRow } from '../../shared/reports';
import type { TraceSettings } from '../../shared/trace';
import type { ExecutionProvider } from '../api';
import { writeFileAtomic } from '../atomic';
import { readManifest } from '../bundle';
import { LOCK_FILE, withFolderLock } from '../folder-lock';
import type { BadRecordPolicy, DatasetItem } from './item';
import type { ResultLine } from './results';
import type { Shard } from './shard';
import { runTask, type TaskResult } from './task';
import type { AttentionResult, CausalResult, ProbeFeatures, StepsResult } from './trace-processors';

export interface StudyOptions {
  dataset: string;
  modelDir: string;
  out: string;
  settings?: Partial<TraceSettings>;
  provider?: ExecutionProvider;
  threads?: number;
  shard?: Shard;
  workers?: number;
  onBadRecord?: BadRecordPolicy;
  limit?: number;
  signal?: AbortSignal;
  log?: (message: string) => void;
}

export interface StudyOutcome<R> {
  report: R | null;
  files: string[];
  resultsPaths: string[];
}

export const ATTENTION_MEASURE = 'attention of the first answer token to all visual tokens (sum over visual tokens, mean over heads and layers)';

function task(o: StudyOptions, name: 'attention' | 'probe' | 'steps' | 'causal', modelDir: string, extra: Record<string, unknown> = {}): Promise<TaskResult> {
  return runTask({
    dataset: o.dataset,
    task: name,
    modelDir,
    options: { settings: o.settings ?? {}, provider: o.provider ?? 'cpu', threads: o.threads ?? 1, ...extra },
    out: o.out,
    shard: o.shard,
    workers: o.workers,
    onBadRecord: o.onBadRecord,
    limit: o.limit,
    signal: o.signal,
    log: o.log,
  });
}

/** shards of one study write disjoint results files, so each shard takes its own lock */
function studyLockName(o: StudyOptions): string {
  return o.shard && o.shard.count > 1 ? `.latent-trace.shard-${o.shard.index}-of-${o.shard.count}.lock` : LOCK_FILE;
}

/** writes <kind>.report.json, <kind>.csv and <kind>.md, each atomically */
export async function writeReportFiles(out: string, kind: string, report: unknown, tables: Tables): Promise<string[]> {
  const files = [join(out, `${kind}.report.json`), join(out, `${kind}.csv`), join(out, `${kind}.md`)];
  await writeFileAtomic(files[0], `${JSON.stringify(report, null, 2)}\n`);
  await writeFileAtomic(files[1], tables.csv);
  await writeFileAtomic(files[2], tables.markdown);
  return files;
}

/**
 * One row of a report's per-item table: `id` is the results line's item index, `image` the dataset's
 * image path as resolved (a Parquet image's name inside the export).
 */
function reportItem(item: DatasetItem, line: ResultLine, fields: { answer?: string; correct?: boolean; statistic?: number; model?: string }): ReportItem {
  const row: ReportItem = {
    id: String(line.index),
    image: typeof item.image === 'string' ? item.image : item.imageName,
    question: item.question,
    answer: fields.answer ?? '',
    expected: item.answer,
  };
  if (fields.correct !== undefined) row.correct = fields.correct;
  if (fields.statistic !== undefined) row.statistic = fields.statistic;
  if (fields.model !== undefined) row.model = fields.model;
  return row;
}

/** the items and their lines, paired by item index, for the lines that succeeded */
function okPairs(run: TaskResult): { item: DatasetItem; line: ResultLine }[] {
  const byIndex = new Map(run.items.map((it) => [it.index, it]));
  return run.lines.filter((l) => l.ok && byIndex.has(l.index)).map((l) => ({ item: byIndex.get(l.index)!, line: l }));
}

/** Table 5: first-answer-token attention to visual tokens, model (sample a) vs baseline (sample b), paired by item */
export function attentionStudy(o: StudyOptions & { baselineDir: string; layer?: number }): Promise<StudyOutcome<StatsReport>> {
  return withFolderLock(o.out, () => attentionUnlocked(o), studyLockName(o));
}

async function attentionUnlocked(o: StudyOptions & { baselineDir: string; layer?: number }): Promise<StudyOutcome<StatsReport>> {
  const extra = o.layer !== undefined ? { layer: o.layer } : {};
  const model = await task(o, 'attention', o.modelDir, extra);
  const baseline = await task(o, 'attention', o.baselineDir, extra);
  const resultsPaths = [model.resultsPath, baseline.resultsPath];
  if (!model.complete) return { report: null, files: [], resultsPaths };
  const both = model.lines.filter((l, k) => l.ok && baseline.lines[k].ok);
  if (both.length < 2) throw new Error(`only ${both.length} items ran under both models; nothing to compare`);
  const dropped = model.lines.length - both.length;
  if (dropped) o.log?.(`${dropped} items failed under one of the models and are left out`);
  const byIndex = new Map(baseline.lines.map((l) => [l.index, l]));
  const a = Float64Array.from(both, (l) => (l.result as AttentionResult).attention);
  const b = Float64Array.from(both, (l) => (byIndex.get(l.index)?.result as AttentionResult).attention);
  const measure = o.layer === undefined ? ATTENTION_MEASURE : ATTENTION_MEASURE.replace('mean over heads and layers', `mean over heads, layer ${o.layer}`);
  const report = compareSamples(a, b, { labels: { a: model.model.name, b: baseline.model.name }, measure });
  const attentionItems = (run: TaskResult) => okPairs(run).map(({ item, line }) => {
    const r = line.result as AttentionResult;
    return reportItem(item, line, { answer: r.answer, correct: r.correct, statistic: r.attention, model: run.model.name });
  });
  report.items = [...attentionItems(model), ...attentionItems(baseline)];
  return { report, files: await writeReportFiles(o.out, 'attention', report, statsTables(report)), resultsPaths };
}

/** Table 6: the probing protocol on the model and, if given, its without-Extractor ablation */
export function probingStudy(o: ProbingStudyOptions): Promise<StudyOutcome<ProbingReport>> {
  return withFolderLock(o.out, () => probingUnlocked(o), studyLockName(o));
}

type ProbingStudyOptions = StudyOptions & { ablationDir?: string; probing?: Partial<ProbingSettings>; onCell?: (cell: ProbeCell, done: number, total: number) => void };

async function probingUnlocked(o: ProbingStudyOptions): Promise<StudyOutcome<ProbingReport>> {
  const runs: TaskResult[] = [await task(o, 'probe', o.modelDir)];
  if (o.ablationDir) runs.push(await task(o, 'probe', o.ablationDir));
  const resultsPaths = runs.map((r) => r.resultsPath);
  if (!runs[0].complete) return { report: null, files: [], resultsPaths };
  const usable = runs[0].lines.map((_, k) => runs.every((r) => r.lines[k].ok));
  const items: ProbingItem[] = [];
  runs[0].items.forEach((it, k) => {
    if (usable[k]) items.push({ image: typeof it.image === 'string' ? it.image : it.imageName, question: it.question, rationale: it.rationale ?? it.answer, bbox: it.bbox });
  });
  const dropped = usable.filter((u) => !u).length;
  if (dropped) o.log?.(`${dropped} items failed under a model and are left out`);
  if (items.length < 8) {
    const failure = runs.flatMap((r) => r.lines.filter((l) => !l.ok).map((l) => `${r.model.name}: ${l.error}`))[0];
    throw new Error(`only ${items.length} items ran under every model${failure ? ` (e.g. ${failure})` : ''}`);
  }
  const source = (r: TaskResult): ProbingSource => {
    const features = r.lines.filter((_, k) => usable[k]).map((l) => l.result as ProbeFeatures);
    return { latent: features.map((f) => Float32Array.from(f.latent)), vision: features.map((f) => Float32Array.from(f.vision)), text: features.map((f) => Float32Array.from(f.text)) };
  };
  const report = runProbing(
    { items, model: source(runs[0]), ablation: runs[1] ? source(runs[1]) : undefined, labels: { model: runs[0].model.name, ablation: runs[1]?.model.name }, onCell: o.onCell },
    o.probing,
  );
  report.items = runs.flatMap((r) => okPairs(r).map(({ item, line }) => {
    const f = line.result as ProbeFeatures;
    return reportItem(item, line, { answer: f.answer, correct: f.correct, model: r.model.name });
  }));
  return { report, files: await writeReportFiles(o.out, 'probing', report, probingTables(report)), resultsPaths };
}

/**
 * Table 4 / Fig. 5: fixed T = 1..maxSteps and adaptive cosine / L1 / L2 stopping (thresholds default
 * to the bundle's). Adaptive rows are read off the fixed runs (see createStepsProcessor).
 */
export function stepsStudy(o: StepsStudyOptions): Promise<StudyOutcome<StepsReport>> {
  return withFolderLock(o.out, () => stepsUnlocked(o), studyLockName(o));
}

type StepsStudyOptions = StudyOptions & { maxSteps?: number; thresholds?: Partial<Record<'cosine' | 'l1' | 'l2', number>> };

async function stepsUnlocked(o: StepsStudyOptions): Promise<StudyOutcome<StepsReport>> {
  const maxSteps = o.maxSteps ?? 8;
  const manifest = await readManifest(o.modelDir);
  const thresholds = { ...manifest.defaults.thresholds, ...o.thresholds };
  const run = await task(o, 'steps', o.modelDir, { maxSteps });
  if (!run.complete) return { report: null, files: [], resultsPaths: [run.resultsPath] };
  const results = run.lines.filter((l) => l.ok).map((l) => l.result as StepsResult);
  if (results.length === 0) throw new Error(`no item ran (e.g. ${run.lines[0]?.error ?? 'empty dataset'})`);
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const row = (rule: string, at: StepsResult['fixed'][number][], threshold?: number): StepsRow => ({
    rule,
    ...(threshold !== undefined ? { threshold } : {}),
    meanSteps: mean(at.map((f) => f.steps)),
    accuracy: mean(at.map((f) => (f.correct ? 1 : 0))),
    meanAnswerTokens: mean(at.map((f) => f.answerTokens)),
  });
  const rows: StepsRow[] = [];
  for (let t = 1; t <= maxSteps; t++) rows.push(row(`T=${t}`, results.map((r) => r.fixed[t - 1])));
  for (const metric of DISTANCE_METRICS) {
    rows.push(row(metric, results.map((r) => r.fixed[adaptiveStopStep(r.distances, metric, thresholds[metric], maxSteps) - 1]), thresholds[metric]));
  }
  const report: StepsReport = {
    kind: 'steps',
    version: 1,
    model: run.model.name,
    items: results.length,
    rows,
    convergence: convergenceCurves(results.map((r) => r.distances)),
    thresholds,
    itemTable: okPairs(run).map(({ item, line }) => {
      const r = line.result as StepsResult;
      const last = r.fixed[r.fixed.length - 1];
      // the statistic: where the cosine rule stops this item
      return reportItem(item, line, { answer: r.answer, correct: last.correct, statistic: adaptiveStopStep(r.distances, 'cosine', thresholds.cosine, maxSteps), model: run.model.name });
    }),
    createdAt: new Date().toISOString(),
  };
  return { report, files: await writeReportFiles(o.out, 'steps', report, stepsTables(report)), resultsPaths: [run.resultsPath] };
}

/**
 * The causal effect of step t (docs/analyses.md): per step, accuracy with step t zeroed against the
 * unmodified run (exact McNemar) and the change of the unmodified answer's first-token log-probability
 * (paired t-test), each with a percentile bootstrap CI over items.
 */
export function causalStudy(o: StudyOptions): Promise<StudyOutcome<CausalReport>> {
  return withFolderLock(o.out, () => causalUnlocked(o), studyLockName(o));
}

async function causalUnlocked(o: StudyOptions): Promise<StudyOutcome<CausalReport>> {
  const run = await task(o, 'causal', o.modelDir);
  if (!run.complete) return { report: null, files: [], resultsPaths: [run.resultsPath] };
  const pairs = okPairs(run);
  if (pairs.length < 2) throw new Error(`only ${pairs.length} items ran (e.g. ${run.lines.find((l) => !l.ok)?.error ?? 'empty dataset'}); a paired study needs at least 2`);
  const results = pairs.map((p) => p.line.result as CausalResult);
  const boot = { ...DEFAULT_BOOTSTRAP };
  const interval = (xs: number[]): Interval => {
    const [low, high] = bootstrapMeanCI(xs, boot);
    return { value: xs.reduce((a, b) => a + b, 0) / xs.length, low, high };
  };
  const rows: CausalStepRow[] = [];
  const maxT = Math.max(...results.map((r) => r.steps));
  for (let t = 1; t <= maxT; t++) {
    const at = results.filter((r) => r.steps >= t);
    const before = at.map((r) => r.correct);
    const after = at.map((r) => r.ablations[t - 1].correct);
    const change = at.map((r) => r.ablations[t - 1].logProbChange);
    rows.push({
      step: t,
      n: at.length,
      baselineAccuracy: interval(before.map(Number)),
      ablatedAccuracy: interval(after.map(Number)),
      mcnemar: mcnemarExact(before, after),
      logProbChange: interval(change),
      pairedT: pairedTTest(change),
    });
  }
  const report: CausalReport = {
    kind: 'causal',
    version: 1,
    model: run.model.name,
    n: results.length,
    rows,
    bootstrap: boot,
    // the statistic: the mean first-token log-probability change over the item's ablated steps
    items: pairs.map(({ item, line }) => {
      const r = line.result as CausalResult;
      const mean = r.ablations.reduce((a, x) => a + x.logProbChange, 0) / r.ablations.length;
      return reportItem(item, line, { answer: r.answer, correct: r.correct, statistic: mean, model: run.model.name });
    }),
    createdAt: new Date().toISOString(),
  };
  return { report, files: await writeReportFiles(o.out, 'causal', report, causalTables(report)), resultsPaths: [run.resultsPath] };
}
