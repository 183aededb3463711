/**
 * "Run Probing Experiment", "Run Attention Statistics", "Run Adaptive-Stopping Study": the same code as
 * `latent-trace probe|attention|steps` (src/cli/commands), run in the extension host with the user's
 * settings, its progress mirrored into the notification and the panel, its report opened in the panel.
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import type { CliCommand, CliIO } from '../../cli/io';
import type { BundleManifest } from '../../shared/bundle';
import { readReport } from '../panel/result-files';
import { Dismissed, UserError } from '../errors';
import { timed } from '../log';
import type { ModelEntry } from '../models';
import { pickDataset, pickModel, type ModelPickOptions } from '../pickers';
import { withRunProgress } from '../progress';
import { progressParser, studyFolder, type Study } from '../studyProgress';
import { resultsFolder } from '../results';
import { readSettings } from '../settings';
import { stepsStudyArgs, traceSettingsArgs, traceSettingsFrom } from '../settingsModel';
import type { CommandContext } from './context';

const REPORT_FILE: Record<Study, string> = { probe: 'probing.report.json', attention: 'attention.report.json', steps: 'steps.report.json' };
const TITLES: Record<Study, string> = { probe: 'probing experiment', attention: 'attention statistics', steps: 'adaptive-stopping study' };

async function loadCommand(study: Study): Promise<CliCommand> {
  switch (study) {
    case 'probe': return (await import('../../cli/commands/probe')).probeCommand;
    case 'attention': return (await import('../../cli/commands/attention')).attentionCommand;
    case 'steps': return (await import('../../cli/commands/steps')).stepsCommand;
  }
}

/** A trust-checked, validated second model (baseline or ablation), or undefined for "none". */
async function pickSecondModel(ctx: CommandContext, title: string, options: ModelPickOptions): Promise<ModelEntry | undefined> {
  const chosen = await pickModel(ctx.catalog, title, options);
  if (!chosen) throw new Dismissed('no model chosen, nothing was run');
  if (chosen === 'none') return undefined;
  ctx.catalog.assertTrusted(chosen);
  return ctx.catalog.load(chosen);
}

async function runStudy(ctx: CommandContext, study: Study): Promise<void> {
  const settings = readSettings();
  const model = await ctx.catalog.load(await ctx.catalog.resolve(settings.modelPath));
  const dataset = await pickDataset(ctx.extension.extensionPath, `Latent Trace: dataset for the ${TITLES[study]}`);
  if (!dataset) throw new Dismissed('no dataset chosen, nothing was run');
  // one worker process per core (the CLI's default), each with its own engine of `threads` threads; a
  // cancel kills the workers, which leaves the extension host untouched
  const argv = [dataset, '--model', model.dir, '--provider', settings.executionProvider, '--threads', String(settings.threads)];
  let second: ModelEntry | undefined;
  if (study === 'attention') {
    second = await pickSecondModel(ctx, `Latent Trace: compare ${model.manifest.name} with… (e.g. the no-latent baseline)`, {
      preferred: (m) => m.manifest.method === 'direct',
    });
    if (!second) throw new Dismissed('no baseline chosen, nothing was run');
    argv.push('--baseline', second.dir, ...traceSettingsArgs(traceSettingsFrom(settings, model.manifest)));
  } else if (study === 'probe') {
    second = await pickSecondModel(ctx, `Latent Trace: ablation to probe next to ${model.manifest.name} (LaRe without the Extractor)`, {
      noneLabel: `No ablation: probe ${model.manifest.name} only`,
      preferred: (m) => isAblationOf(m.manifest, model.manifest),
    });
    if (second) argv.push('--ablation', second.dir);
    argv.push('--pairs', String(settings.probing.pairs), '--bootstrap', String(settings.probing.bootstrap));
    argv.push(...traceSettingsArgs(traceSettingsFrom(settings, model.manifest)));
  } else {
    if (model.manifest.method !== 'lare') throw new UserError(`${model.manifest.name} is an ${model.manifest.method} model: the adaptive-stopping study needs a LaRe model`);
    argv.push(...stepsStudyArgs(settings));
  }
  const results = resultsFolder(settings.resultsFolder, ctx.catalog.workspaceRoots(), ctx.extension.globalStorageUri.fsPath);
  const out = studyFolder(results, study, dataset, argv);
  argv.push('--out', out);
  const label = `${TITLES[study]}: ${model.manifest.name}${second ? ` + ${second.manifest.name}` : ''} on ${path.basename(dataset)}`;
  ctx.log.info(`[${study}] ${label} → ${out}`);
  const command = await loadCommand(study);
  const panelRun = ctx.panel.beginRun(label);
  await withRunProgress(label, panelRun, async ({ report, signal }) => {
    report('reading the dataset', 0.01);
    const onLine = progressParser(report, second ? 2 : 1);
    let pending = '';
    const io: CliIO = {
      stdout: () => undefined, // the markdown table; the panel shows the report itself
      stderr: (text) => {
        const lines = (pending + text).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines.filter((l) => l.trim())) {
          ctx.log.info(`[${study}] ${line}`);
          onLine(line);
        }
      },
      cwd: path.dirname(dataset),
      env: process.env,
      signal,
    };
    const code = await timed(ctx.log, `[${study}] ${label}`, () => command.run(argv, io));
    if (code !== 0) throw new Error(`the ${TITLES[study]} ended with exit code ${code} (see the log)`);
  });
  const file = vscode.Uri.file(path.join(out, REPORT_FILE[study]));
  await ctx.panel.showReport(await readReport(file), file);
  ctx.log.info(`[${study}] report ${file.fsPath}`);
}

/** A LaRe bundle without an Extractor, from the same family as `model` (the Table 6 ablation). */
function isAblationOf(candidate: BundleManifest, model: BundleManifest): boolean {
  return candidate.method === 'lare' && !candidate.extractor && candidate.name !== model.name;
}

export const runProbing = (ctx: CommandContext) => runStudy(ctx, 'probe');
export const runAttentionStats = (ctx: CommandContext) => runStudy(ctx, 'attention');
export const runStepsStudy = (ctx: CommandContext) => runStudy(ctx, 'steps');
