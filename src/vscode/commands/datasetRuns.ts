/**
 * "Run Probing Experiment", "Run Attention Statistics", "Run Adaptive-Stopping Study": the studies'
 * typed API (src/studies) run in the extension host with the user's settings, its progress events
 * shown in the notification and the panel, its report opened in its own tab. Where sbatch is on the
 * PATH the same request can go to Slurm instead (slurmRuns.ts).
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import { runStudy, STUDY_LABELS, type CommonStudyOptions, type StudyKind, type StudyOutcome, type StudyProgress, type StudyRequest } from '../../studies';
import type { Report } from '../../shared/reports';
import { isAblationOf, pairingProblem } from '../../studies/pairing';
import { Dismissed, UserError } from '../errors';
import { timed } from '../log';
import type { ModelEntry } from '../models';
import { pickDataset, pickModel, type ModelPickOptions } from '../pickers';
import { withRunProgress, type RunReporter } from '../progress';
import { progressMessage, studyFolder } from '../studyProgress';
import { resultsFolder } from '../results';
import { recordEntry } from '../library';
import { TRACE_EDITOR_VIEW_TYPE } from '../panel/trace-editor';
import { readSettings } from '../settings';
import { stepsStudyFrom, traceSettingsFrom } from '../settingsModel';
import type { CommandContext } from './context';
import { chooseEngine, runOnSlurm } from './slurmRuns';

/** A trust-checked, validated second model (baseline or ablation), or undefined for "none". */
async function pickSecondModel(ctx: CommandContext, title: string, options: ModelPickOptions): Promise<ModelEntry | undefined> {
  const chosen = await pickModel(ctx.catalog, title, options);
  if (!chosen) throw new Dismissed('no model chosen, nothing was run');
  if (chosen === 'none') return undefined;
  ctx.catalog.assertTrusted(chosen);
  return ctx.catalog.load(chosen);
}

function refuseIncompatible(study: 'probe' | 'attention', model: ModelEntry, second: ModelEntry): void {
  const problem = pairingProblem(study, model.manifest, second.manifest);
  if (problem) throw new UserError(`${STUDY_LABELS[study]} not run: ${problem}`);
}

/** the study's progress events as the bar's words and fraction (the first 2 % is reading the dataset) */
function reportTo(run: RunReporter, ctx: CommandContext, study: StudyKind): (e: StudyProgress) => void {
  return (e) => {
    if (e.detail && e.phase === 'items') ctx.log.warn(`[${study}] ${e.detail}`);
    run.report(progressMessage(e), 0.02 + 0.98 * e.fraction);
  };
}

/** the studies whose reports the panel shows (the causal study's report is the CLI's for now) */
type PanelStudy = Exclude<StudyKind, 'causal'>;

type Running = Pick<CommonStudyOptions, 'out' | 'signal' | 'onProgress' | 'log'>;

function start(request: StudyRequest, running: Running): Promise<StudyOutcome<Report>> {
  switch (request.study) {
    case 'probe': return runStudy('probe', { ...request.options, ...running });
    case 'attention': return runStudy('attention', { ...request.options, ...running });
    case 'steps': return runStudy('steps', { ...request.options, ...running });
  }
}

async function askStudy(ctx: CommandContext, study: PanelStudy): Promise<{ request: StudyRequest; models: string[]; results: string }> {
  const settings = readSettings();
  const model = await ctx.catalog.load(await ctx.catalog.resolve(settings.modelPath));
  const title = STUDY_LABELS[study];
  const results = resultsFolder(settings.resultsFolder, ctx.catalog.workspaceRoots(), ctx.extension.globalStorageUri.fsPath);
  const dataset = await pickDataset(ctx.extension.extensionPath, `Latent Trace: dataset for the ${title}`, results);
  if (!dataset) throw new Dismissed('no dataset chosen, nothing was run');
  // one worker process per core (the studies' default), each with its own engine of `threads` threads;
  // a cancel kills the workers, which leaves the extension host untouched
  const common = { dataset, modelDir: model.dir, provider: settings.executionProvider, threads: settings.threads };
  const name = model.manifest.name;
  if (study === 'attention') {
    const baseline = await pickSecondModel(ctx, `Latent Trace: compare ${name} with… (e.g. the no-latent baseline)`, {
      preferred: (m) => m.manifest.method === 'direct',
    });
    if (!baseline) throw new Dismissed('no baseline chosen, nothing was run');
    refuseIncompatible('attention', model, baseline);
    const options = { ...common, baselineDir: baseline.dir, settings: traceSettingsFrom(settings, model.manifest) };
    return { request: { study, options }, models: [name, baseline.manifest.name], results };
  }
  if (study === 'probe') {
    if (model.manifest.method !== 'lare' || !model.manifest.graphs.extractor) {
      throw new UserError(`${title} not run: ${name} is not a LaRe model with an Extractor (choose one in latentTrace.modelPath)`);
    }
    const ablation = await pickSecondModel(ctx, `Latent Trace: second model to probe next to ${name} (its no-Extractor ablation, or another LaRe model)`, {
      noneLabel: `No ablation: probe ${name} only`,
      preferred: (m) => isAblationOf(m.manifest, model.manifest),
    });
    if (ablation) refuseIncompatible('probe', model, ablation);
    const options = {
      ...common,
      ...(ablation ? { ablationDir: ablation.dir } : {}),
      probing: { pairs: settings.probing.pairs, bootstrapResamples: settings.probing.bootstrap },
      settings: traceSettingsFrom(settings, model.manifest),
    };
    return { request: { study, options }, models: ablation ? [name, ablation.manifest.name] : [name], results };
  }
  if (model.manifest.method !== 'lare') throw new UserError(`${name} is an ${model.manifest.method} model: the adaptive-stopping study needs a LaRe model`);
  return { request: { study, options: { ...common, ...stepsStudyFrom(settings) } }, models: [name], results };
}

async function runDatasetStudy(ctx: CommandContext, study: PanelStudy): Promise<void> {
  const title = STUDY_LABELS[study];
  const engine = await chooseEngine(title);
  const { request, models, results } = await askStudy(ctx, study);
  const dataset = request.options.dataset;
  const label = `${title}: ${models.join(' + ')} on ${path.basename(dataset)}`;
  const file = engine === 'slurm' ? (await runOnSlurm(ctx, request, models, results, label))?.file : await runHere(ctx, request, label, results, models);
  if (!file) return;
  const uri = vscode.Uri.file(file);
  recordEntry(results, { kind: 'report', file: uri.fsPath, study: title, models, dataset, createdAt: new Date().toISOString() });
  ctx.library.refresh();
  // each report in its own tab (the read-only viewer), so two studies' reports sit side by side
  await vscode.commands.executeCommand('vscode.openWith', uri, TRACE_EDITOR_VIEW_TYPE, { preview: false });
  ctx.log.info(`[${study}] report ${uri.fsPath}`);
}

/** runs the study in this extension host's workers; returns the report file */
async function runHere(ctx: CommandContext, request: StudyRequest, label: string, results: string, models: string[]): Promise<string> {
  const study = request.study;
  const title = STUDY_LABELS[study];
  const out = studyFolder(results, study, models, request.options.dataset, request.options);
  ctx.log.info(`[${study}] ${label} → ${out}`);
  const panelRun = ctx.panel.beginRun(label);
  const outcome = await withRunProgress(label, panelRun, (run) => {
    run.report(`${title}: reading the dataset`, 0.01);
    const running: Running = { out, signal: run.signal, onProgress: reportTo(run, ctx, study), log: (m) => ctx.log.info(`[${study}] ${m}`) };
    return timed(ctx.log, `[${study}] ${label}`, () => start(request, running));
  });
  if (!outcome.report) throw new Error(`the ${title} wrote no report (${outcome.resultsPaths.join(', ')})`);
  return outcome.files[0];
}

export const runProbing = (ctx: CommandContext) => runDatasetStudy(ctx, 'probe');
export const runAttentionStats = (ctx: CommandContext) => runDatasetStudy(ctx, 'attention');
export const runStepsStudy = (ctx: CommandContext) => runDatasetStudy(ctx, 'steps');
