/** Wiring only: builds the services and registers the commands (src/vscode/* does the work). */
import * as vscode from 'vscode';
import { registerPanel } from './vscode/panel';
import { compareTraces, openTrace } from './vscode/commands/files';
import { runOnImage } from './vscode/commands/runOnImage';
import { runSample } from './vscode/commands/runSample';
import { selectModel } from './vscode/commands/selectModel';
import { runAttentionStats, runProbing, runStepsStudy } from './vscode/commands/datasetRuns';
import { panelActions } from './vscode/commands/panelActions';
import type { CommandContext } from './vscode/commands/context';
import { EngineHost } from './vscode/engineHost';
import { guarded } from './vscode/errors';
import { createLog } from './vscode/log';
import { ModelCatalog } from './vscode/models';
import { onnxRuntimeLoaded } from './vscode/activation';
import { ModelStatusBar } from './vscode/statusBar';
import { refreshModelStatus } from './vscode/modelStatus';

const ENGINE_SETTINGS = ['latentTrace.modelPath', 'latentTrace.executionProvider', 'latentTrace.threads'];

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const log = createLog();
  const catalog = new ModelCatalog(context.extensionPath, log);
  const engines = new EngineHost(log);
  const status = new ModelStatusBar();
  const panel = registerPanel(context, log);
  const ctx: CommandContext = {
    extension: context,
    log,
    catalog,
    engines,
    panel,
    refreshStatus: () => refreshModelStatus(catalog, engines, status, log),
  };
  panel.bindActions(panelActions(ctx));
  context.subscriptions.push(log, engines, status);
  const command = (id: string, what: string, handler: (...args: unknown[]) => Promise<void>) => {
    context.subscriptions.push(vscode.commands.registerCommand(id, guarded(log, what, handler)));
  };
  command('latentTrace.runOnImage', 'Run LaRe on Image', (arg) => runOnImage(ctx, arg));
  command('latentTrace.runSample', 'Run the Bundled Sample', () => runSample(ctx));
  command('latentTrace.openPanel', 'Open Panel', async () => panel.reveal());
  command('latentTrace.runProbing', 'Probing Experiment', () => runProbing(ctx));
  command('latentTrace.runAttentionStats', 'Attention Statistics', () => runAttentionStats(ctx));
  command('latentTrace.runStepsStudy', 'Adaptive-Stopping Study', () => runStepsStudy(ctx));
  command('latentTrace.selectModel', 'Select Model', () => selectModel(ctx));
  command('latentTrace.openTrace', 'Open Trace', (arg) => openTrace(ctx, arg));
  command('latentTrace.compareTraces', 'Compare Traces', (arg, selection) => compareTraces(ctx, arg, selection));
  command('latentTrace.showLog', 'Show Log', async () => log.show(true));
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (ENGINE_SETTINGS.some((s) => e.affectsConfiguration(s))) void engines.release().then(ctx.refreshStatus);
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void ctx.refreshStatus()),
    engines.onDidChange(() => void ctx.refreshStatus()),
  );
  void ctx.refreshStatus();
  log.info(`[activation] activated in ${(performance.now() - started).toFixed(1)} ms; onnxruntime loaded: ${onnxRuntimeLoaded() ? 'yes' : 'no'}`);
}

