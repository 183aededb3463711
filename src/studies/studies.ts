/**
 * The three dataset studies: resumable dataset runs (task.ts), then the report (LaRe Tables 5, 6, 4),
 * written as <stem>.report.json + .csv + .md under `out`. A shard run returns `report: null` until
 * merged. Each study holds the lock on `out` while it runs (folder-lock.ts).
 */
import { adaptiveStopStep, convergenceCurves } from '../analysis/convergence';
import { DISTANCE_METRICS } from '../analysis/distance';
import { runProbing, type ProbingItem, type ProbingSource } from '../analysis/probing/protocol';
import { bootstrapMeanCI, compareModels, compareSamples, DEFAULT_BOOTSTRAP, mcnemarExact, pairedTTest } from '../analysis/stats';
import { causalTables, probingTables, statsTables, stepsTables } from '../present/reportTables';
import type { CausalReport, CausalStepRow, Interval, ProbingReport, ReportItem, StatsReport, StepsReport, StepsRow } from '../shared/reports';
import type { DatasetItem } from '../runtime/datasets/item';
import type { ResultLine } from '../runtime/datasets/results';
import { readManifest } from '../runtime/bundle';
import type { BundleManifest } from '../shared/bundle';
import { LOCK_FILE, withFolderLock } from '../runtime/folder-lock';
import { pairingProblem, PairingError, probingPairing } from './pairing';
import { progressReporter } from './progress';
import { writeReportFiles } from './report-files';
import { runTask, type TaskOptions, type TaskResult } from './task';
import type { AttentionStudyOptions, CommonStudyOptions, ProbingStudyOptions, StepsStudyOptions, StudyOutcome, TaskName, TaskOptionsOf, TaskResultOf } from './types';
import type { TaskProgress } from './task';

export const ATTENTION_MEASURE = 'attention of the first answer token to all visual tokens (sum over visual tokens, mean over heads and layers)';

function task<K extends TaskName>(o: CommonStudyOptions, name: K, options: TaskOptionsOf[K], onProgress: (p: TaskProgress) => void): Promise<TaskResult<TaskResultOf[K]>> {
  const t: TaskOptions<K> = {
    dataset: o.dataset,
    task: name,
    options,
    out: o.out,
    shard: o.shard,
    workers: o.workers,
    onBadRecord: o.onBadRecord,
    limit: o.limit,
    signal: o.signal,
    onProgress,
    log: o.log,
  };
  return runTask(t);
}

/** the processor options every study passes: loop settings and engine */
function traceOptions(o: CommonStudyOptions, modelDir: string) {
  return { modelDir, settings: o.settings ?? {}, provider: o.provider ?? 'cpu', threads: o.threads ?? 1 };
}

/** refuses a second model that cannot be the probe study's ablation or peer, before any item runs; returns its manifest */
async function checkPair(modelDir: string, secondDir: string): Promise<BundleManifest> {
  const [model, second] = await Promise.all([readManifest(modelDir), readManifest(secondDir)]);
  const problem = pairingProblem('probe', model, second);
  if (problem) throw new PairingError(`--ablation ${secondDir}: ${problem}`);
  return second;
}

/** shards of one study write disjoint results files, so each shard takes its own lock */
function studyLockName(o: CommonStudyOptions): string {
  return o.shard && o.shard.count > 1 ? `.latent-trace.shard-${o.shard.index}-of-${o.shard.count}.lock` : LOCK_FILE;
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

/** the items and their results, paired by item index, for the lines that succeeded */
function okPairs<R>(run: TaskResult<R>): { item: DatasetItem; line: ResultLine<R>; result: R }[] {
  const byIndex = new Map(run.items.map((it) => [it.index, it]));
  return run.lines.flatMap((line) => {
    const item = byIndex.get(line.index);
    return line.ok && item && line.result !== undefined ? [{ item, line, result: line.result }] : [];
  });
}

/**
 * Table 5: first-answer-token attention to visual tokens of the model, its baseline and any further
 * models, paired by item: a and b of the report are the model (sample a) and the baseline (sample b),
 * `comparison` every model's row and every pair's tests with Holm's correction, all on the items that
 * ran under every model.
 */
export function attentionStudy(o: AttentionStudyOptions): Promise<StudyOutcome<StatsReport>> {
  return withFolderLock(o.out, () => attentionUnlocked(o), studyLockName(o));
}

async function attentionUnlocked(o: AttentionStudyOptions): Promise<StudyOutcome<StatsReport>> {
  const dirs = [o.modelDir, o.baselineDir, ...(o.furtherModelDirs ?? [])];
  await checkModels(dirs);
  const progress = progressReporter('attention', dirs.length, o.onProgress);
  const extra = o.layer !== undefined ? { layer: o.layer } : {};
  const runs: TaskResult<TaskResultOf['attention']>[] = [];
  for (const [k, dir] of dirs.entries()) runs.push(await task(o, 'attention', { ...traceOptions(o, dir), ...extra }, progress.items(k)));
  const resultsPaths = runs.map((r) => r.resultsPath);
  if (!runs[0].complete) return { report: null, files: [], resultsPaths };
  const byIndex = runs.map((r) => new Map(r.lines.map((l) => [l.index, l])));
  const rows: number[][] = [];
  for (const l of runs[0].lines) {
    const values = byIndex.map((m) => m.get(l.index)).map((x) => (x?.ok && x.result ? x.result.attention : undefined));
    if (values.every((v) => v !== undefined)) rows.push(values as number[]);
  }
  if (rows.length < 2) throw new Error(`only ${rows.length} items ran under every model; nothing to compare`);
  const dropped = runs[0].lines.length - rows.length;
  if (dropped) o.log?.(`${dropped} items failed under one of the models and are left out`);
  const labels = distinctLabels(runs.map((r) => r.model.name));
  const samples = labels.map((label, k) => ({ label, values: Float64Array.from(rows, (r) => r[k]) }));
  const measure = o.layer === undefined ? ATTENTION_MEASURE : ATTENTION_MEASURE.replace('mean over heads and layers', `mean over heads, layer ${o.layer}`);
  const report = compareSamples(samples[0].values, samples[1].values, { labels: { a: labels[0], b: labels[1] }, measure });
  report.comparison = compareModels(samples, { paired: true });
  report.items = runs.flatMap((run, k) =>
    okPairs(run).map(({ item, line, result }) => reportItem(item, line, { answer: result.answer, correct: result.correct, statistic: result.attention, model: labels[k] })));
  progress.report();
  return { report, files: await writeReportFiles(o.out, 'attention', report, statsTables(report)), resultsPaths };
}

/** models under one name get " (2)", " (3)" ... so every row and pair of the report is told apart */
function distinctLabels(names: string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    const k = (seen.get(n) ?? 0) + 1;
    seen.set(n, k);
    return k === 1 ? n : `${n} (${k})`;
  });
}

/** Table 5's models must be distinct bundles: refused before any item runs */
async function checkModels(dirs: string[]): Promise<void> {
  const manifests = await Promise.all(dirs.map((d) => readManifest(d)));
  for (let i = 0; i < dirs.length; i++) {
    for (let j = i + 1; j < dirs.length; j++) {
      const problem = pairingProblem('attention', manifests[i], manifests[j]);
      if (problem) throw new PairingError(`--baseline ${dirs[j]}: ${problem}`);
    }
  }
}

/** Table 6: the probing protocol on the model and, if given, its without-Extractor ablation */
export function probingStudy(o: ProbingStudyOptions): Promise<StudyOutcome<ProbingReport>> {
  return withFolderLock(o.out, () => probingUnlocked(o), studyLockName(o));
}

async function probingUnlocked(o: ProbingStudyOptions): Promise<StudyOutcome<ProbingReport>> {
  const pairing = o.ablationDir ? probingPairing(await checkPair(o.modelDir, o.ablationDir)) : undefined;
  const progress = progressReporter('probe', o.ablationDir ? 2 : 1, o.onProgress);
  const runs: TaskResult<TaskResultOf['probe']>[] = [await task(o, 'probe', traceOptions(o, o.modelDir), progress.items(0))];
  if (o.ablationDir) runs.push(await task(o, 'probe', traceOptions(o, o.ablationDir), progress.items(1)));
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
  const source = (r: TaskResult<TaskResultOf['probe']>): ProbingSource => {
    const features = r.lines.filter((_, k) => usable[k]).flatMap((l) => (l.result ? [l.result] : []));
    return { latent: features.map((f) => Float32Array.from(f.latent)), vision: features.map((f) => Float32Array.from(f.vision)), text: features.map((f) => Float32Array.from(f.text)) };
  };
  progress.fitting(0, 0, 'pairs and projection');
  const report = runProbing(
    {
      items,
      model: source(runs[0]),
      ablation: runs[1] ? source(runs[1]) : undefined,
      labels: { model: runs[0].model.name, ablation: runs[1]?.model.name, pairing },
      onCell: (cell, done, total) => progress.fitting(done, total, `${cell.source} ${cell.target} ${cell.classifier}: ${(100 * cell.accuracy.value).toFixed(1)}%`),
    },
    o.probing,
  );
  report.items = runs.flatMap((r) => okPairs(r).map(({ item, line, result }) => reportItem(item, line, { answer: result.answer, correct: result.correct, model: r.model.name })));
  progress.report();
  return { report, files: await writeReportFiles(o.out, 'probing', report, probingTables(report)), resultsPaths };
}

/**
 * Table 4 / Fig. 5: fixed T = 1..maxSteps and adaptive cosine / L1 / L2 stopping (thresholds default
 * to the bundle's). Adaptive rows are read off the fixed runs (see createStepsProcessor).
 */
export function stepsStudy(o: StepsStudyOptions): Promise<StudyOutcome<StepsReport>> {
  return withFolderLock(o.out, () => stepsUnlocked(o), studyLockName(o));
}

async function stepsUnlocked(o: StepsStudyOptions): Promise<StudyOutcome<StepsReport>> {
  const progress = progressReporter('steps', 1, o.onProgress);
  const maxSteps = o.maxSteps ?? 8;
  const manifest = await readManifest(o.modelDir);
  const thresholds = { ...manifest.defaults.thresholds, ...o.thresholds };
  const run = await task(o, 'steps', { ...traceOptions(o, o.modelDir), maxSteps }, progress.items(0));
  if (!run.complete) return { report: null, files: [], resultsPaths: [run.resultsPath] };
  const results = run.lines.flatMap((l) => (l.ok && l.result ? [l.result] : []));
  if (results.length === 0) throw new Error(`no item ran (e.g. ${run.lines[0]?.error ?? 'empty dataset'})`);
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const row = (rule: string, at: TaskResultOf['steps']['fixed'][number][], threshold?: number): StepsRow => ({
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
    itemTable: okPairs(run).map(({ item, line, result }) => {
      const last = result.fixed[result.fixed.length - 1];
      // the statistic: where the cosine rule stops this item
      return reportItem(item, line, { answer: result.answer, correct: last.correct, statistic: adaptiveStopStep(result.distances, 'cosine', thresholds.cosine, maxSteps), model: run.model.name });
    }),
    createdAt: new Date().toISOString(),
  };
  progress.report();
  return { report, files: await writeReportFiles(o.out, 'steps', report, stepsTables(report)), resultsPaths: [run.resultsPath] };
}

/**
 * The causal effect of step t (docs/analyses.md): per step, accuracy with step t zeroed against the
 * unmodified run (exact McNemar) and the change of the unmodified answer's first-token log-probability
 * (paired t-test), each with a percentile bootstrap CI over items.
 */
export function causalStudy(o: CommonStudyOptions): Promise<StudyOutcome<CausalReport>> {
  return withFolderLock(o.out, () => causalUnlocked(o), studyLockName(o));
}

async function causalUnlocked(o: CommonStudyOptions): Promise<StudyOutcome<CausalReport>> {
  const progress = progressReporter('causal', 1, o.onProgress);
  const run = await task(o, 'causal', traceOptions(o, o.modelDir), progress.items(0));
  if (!run.complete) return { report: null, files: [], resultsPaths: [run.resultsPath] };
  const pairs = okPairs(run);
  if (pairs.length < 2) throw new Error(`only ${pairs.length} items ran (e.g. ${run.lines.find((l) => !l.ok)?.error ?? 'empty dataset'}); a paired study needs at least 2`);
  const results = pairs.map((p) => p.result);
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
    items: pairs.map(({ item, line, result }) => {
      const mean = result.ablations.reduce((a, x) => a + x.logProbChange, 0) / result.ablations.length;
      return reportItem(item, line, { answer: result.answer, correct: result.correct, statistic: mean, model: run.model.name });
    }),
    createdAt: new Date().toISOString(),
  };
  progress.report();
  return { report, files: await writeReportFiles(o.out, 'causal', report, causalTables(report)), resultsPaths: [run.resultsPath] };
}
